/**
 * toapis task webhooks, as the simulator sends them (docs/providers.md#7-toapis-webhooks): a signed POST per finished task to the
 * request's callback_url or the key's default URL, retried on non-2xx with a fast, bounded schedule, never
 * following redirects. Faults on demand: duplicate deliveries, forged signatures, stale or future timestamps,
 * and a rotated secret (two v1 signatures).
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';

export interface WebhookConfig {
	/** The token's default webhook URL (toapis console); callback_url may only change its path and query */
	defaultUrl?: string;
	secret: string;
	/** Set during a rotation: every event then carries a second signature, made with this secret */
	previousSecret?: string;
	/** Wait before each retry of a non-2xx answer; its length bounds the attempts (toapis: 10 s … 24 h) */
	retryDelaysMs: number[];
	timeoutMs: number;
}

/** A delivery that is not the plain signed event: what a receiver must refuse or deduplicate. */
export type WebhookVariant = 'duplicate' | 'forged' | 'stale' | 'future';

export interface WebhookFault {
	/** A variant delivered before the real event, or 'lost': the event is never delivered (toapis down, webhooks off) */
	kind: WebhookVariant | 'lost';
	/** How many events it hits; default 1 */
	times?: number;
}

export interface WebhookEvent {
	id: string;
	type: 'generation.completed' | 'generation.failed' | 'endpoint.test';
	api_version: 'v1';
	created_at: number;
	data: Record<string, unknown>;
}

export interface Delivery {
	eventId: string;
	type: WebhookEvent['type'];
	taskId?: string;
	url: string;
	variant: 'event' | WebhookVariant | 'lost';
	attempt: number;
	status?: number;
	error?: string;
	responseBody?: string;
	at: number;
	/** How long the receiver took to answer (ms) */
	answeredInMs?: number;
}

function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, timeout: timeoutMs }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (text += chunk.length + text.length < 4000 ? chunk : ''));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end(body);
	});
}

export function signEvent(secret: string, id: string, timestamp: number, body: string): string {
	return createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex');
}

export class WebhookDispatcher {
	config: WebhookConfig = { secret: randomBytes(32).toString('hex'), retryDelaysMs: [100, 300, 1000], timeoutMs: 10_000 };
	readonly deliveries: Delivery[] = [];
	/** Every event sent, by id (the body as first sent), so a test can replay one */
	readonly events = new Map<string, WebhookEvent>();
	private faults: WebhookFault[] = [];
	private timers = new Set<NodeJS.Timeout>();
	private inFlight = 0;

	configure(partial: Partial<WebhookConfig>): void {
		this.config = { ...this.config, ...partial };
	}

	inject(...faults: WebhookFault[]): void {
		this.faults.push(...faults.map((f) => ({ times: 1, ...f })));
	}

	/** Why toapis would refuse this callback_url at submit time, if it would. */
	callbackProblem(callbackUrl: string | undefined): string | undefined {
		if (callbackUrl === undefined) return undefined;
		if (!this.config.defaultUrl) return 'webhook_not_configured';
		return new URL(callbackUrl).origin === new URL(this.config.defaultUrl).origin ? undefined : 'callback_url must keep the scheme, host and port of the default webhook URL';
	}

	/** Deliveries still waiting for a timer or an answer */
	get pending(): number {
		return this.timers.size + this.inFlight;
	}

	reset(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.deliveries.length = 0;
		this.events.clear();
		this.faults = [];
	}

	close(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}

	later(ms: number, run: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		this.timers.add(timer);
	}

	newEvent(type: WebhookEvent['type'], data: Record<string, unknown>): WebhookEvent {
		const event: WebhookEvent = { id: `evt_${randomBytes(10).toString('hex')}`, type, api_version: 'v1', created_at: Math.floor(Date.now() / 1000), data };
		this.events.set(event.id, event);
		return event;
	}

	/** Sends an event with its faults (if any are armed), then retries the real delivery until 2xx or the schedule ends. */
	dispatch(event: WebhookEvent, url: string): void {
		const fault = this.faults.find((f) => (f.times ?? 1) > 0);
		if (fault) fault.times = (fault.times ?? 1) - 1;
		if (fault?.kind === 'lost') {
			this.deliveries.push({ eventId: event.id, type: event.type, taskId: event.data.task_id as string | undefined, url, variant: 'lost', attempt: 0, at: Date.now() });
			return;
		}
		const deliverReal = () => void this.deliver(event, url, 'event', 1).then((ok) => {
			if (ok && fault?.kind === 'duplicate') void this.deliver(event, url, 'duplicate', 1);
		});
		if (fault && fault.kind !== 'duplicate') void this.deliver(event, url, fault.kind, 1).then(deliverReal);
		else deliverReal();
	}

	/** One delivery (and its retries); resolves true once answered 2xx. */
	async deliver(event: WebhookEvent, url: string, variant: Delivery['variant'], attempt: number): Promise<boolean> {
		const body = JSON.stringify(event);
		const now = Math.floor(Date.now() / 1000);
		const timestamp = variant === 'stale' ? now - 3600 : variant === 'future' ? now + 3600 : now;
		const secret = variant === 'forged' ? randomBytes(32).toString('hex') : this.config.secret;
		const signatures = [`v1=${signEvent(secret, event.id, timestamp, body)}`];
		if (this.config.previousSecret && variant !== 'forged') signatures.push(`v1=${signEvent(this.config.previousSecret, event.id, timestamp, body)}`);
		const record: Delivery = { eventId: event.id, type: event.type, taskId: event.data.task_id as string | undefined, url, variant, attempt, at: Date.now() };
		this.deliveries.push(record);
		this.inFlight++;
		try {
			const answer = await post(url, body, {
				'x-toapis-webhook-id': event.id,
				'x-toapis-webhook-timestamp': String(timestamp),
				'x-toapis-webhook-signature': signatures.join(','),
			}, this.config.timeoutMs);
			record.status = answer.status;
			record.responseBody = answer.body.slice(0, 500);
			record.answeredInMs = Date.now() - record.at;
		} catch (error) {
			record.error = (error as Error).message;
		} finally {
			this.inFlight--;
		}
		const ok = record.status !== undefined && record.status >= 200 && record.status < 300;
		// Only the real event is retried: a refused fault is the receiver doing its job.
		if (ok || variant !== 'event' || attempt > this.config.retryDelaysMs.length) return ok;
		return await new Promise<boolean>((resolve) =>
			this.later(this.config.retryDelaysMs[attempt - 1], () => void this.deliver(event, url, variant, attempt + 1).then(resolve)),
		);
	}
}
