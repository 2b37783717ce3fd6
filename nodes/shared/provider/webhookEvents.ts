import { createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { z } from 'zod/v4';

/**
 * toapis task webhooks (docs/providers.md#7-toapis-webhooks): each event is signed with HMAC-SHA256 over
 * `id + "." + timestamp + "." + raw body`, sent as `X-ToAPIs-Webhook-Signature: v1=<hex>[,v1=<previous secret's hex>]`.
 * The Sora Trigger and Sora Generate's callback wait both receive them; what makes an event genuine lives here.
 */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const HEADER_ID = 'x-toapis-webhook-id';
const HEADER_TIMESTAMP = 'x-toapis-webhook-timestamp';
const HEADER_SIGNATURE = 'x-toapis-webhook-signature';

export const EVENT_TYPES = {
	'generation.completed': 'completed',
	'generation.failed': 'failed',
} as const;

const eventSchema = z.object({
	id: z.string().min(1),
	type: z.string().min(1),
	created_at: z.number().optional(),
	data: z.record(z.string(), z.unknown()).optional(),
});
const taskDataSchema = z.object({ task_id: z.string().min(1), status: z.string().min(1) }).loose();

export type ToapisEvent = z.infer<typeof eventSchema>;

/** All v1 signatures of the header: two while toapis rotates the secret. */
export function signaturesOf(header: string): string[] {
	return header
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part.startsWith('v1='))
		.map((part) => part.slice(3));
}

/** Whether any of the header's signatures is ours; every candidate is compared in constant time. */
export function verifySignature(
	secret: string,
	id: string,
	timestamp: string,
	rawBody: Buffer,
	header: string,
): boolean {
	const expected = createHmac('sha256', secret)
		.update(`${id}.${timestamp}.`)
		.update(rawBody)
		.digest();
	let match = false;
	for (const candidate of signaturesOf(header)) {
		// toapis signs in lower-case hex; anything else is not its signature.
		if (!/^[0-9a-f]{64}$/.test(candidate)) continue;
		match = timingSafeEqual(Buffer.from(candidate, 'hex'), expected) || match;
	}
	return match;
}

/** Answers the delivery now; n8n then sends nothing of its own. */
export function answer(
	ctx: IWebhookFunctions,
	status: number,
	body: IDataObject,
): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

function header(ctx: IWebhookFunctions, name: string): string {
	const value = ctx.getHeaderData()[name];
	return (Array.isArray(value) ? value[0] : (value ?? '')).trim();
}

/** Why a delivery is refused: the status and body to answer it with. */
export interface Refusal {
	status: number;
	body: { error: string; message: string };
}

/**
 * The signed event, or the answer that refuses the delivery (401: not provably from toapis, or signed too long ago;
 * 400: not an event).
 */
export function verifiedEvent(
	ctx: IWebhookFunctions,
	secret: string,
	now = Math.floor(Date.now() / 1000),
): ToapisEvent | IWebhookResponseData {
	const checked = checkEvent(ctx, secret, now);
	return 'status' in checked ? answer(ctx, checked.status, checked.body) : checked;
}

/** The signed event, or why it is refused (nothing answered yet). */
export function checkEvent(
	ctx: IWebhookFunctions,
	secret: string,
	now = Math.floor(Date.now() / 1000),
): ToapisEvent | Refusal {
	const rawBody = (ctx.getRequestObject() as { rawBody?: Buffer }).rawBody;
	const id = header(ctx, HEADER_ID);
	const timestamp = header(ctx, HEADER_TIMESTAMP);
	const signature = header(ctx, HEADER_SIGNATURE);
	if (!id || !/^\d+$/.test(timestamp) || !signature || !rawBody) {
		return refusal(401, {
			error: 'missing_signature',
			message: 'X-ToAPIs-Webhook-Id, -Timestamp and -Signature are required',
		});
	}
	if (!verifySignature(secret, id, timestamp, rawBody, signature)) {
		return refusal(401, {
			error: 'invalid_signature',
			message: 'No v1 signature matches the signing secret',
		});
	}
	const skew = Math.abs(now - Number(timestamp));
	if (skew > MAX_CLOCK_SKEW_SECONDS) {
		return refusal(401, {
			error: 'stale_timestamp',
			message: `Timestamp is ${skew} s away from now; at most ${MAX_CLOCK_SKEW_SECONDS} s are accepted`,
		});
	}
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8'));
	} catch {
		body = undefined; // refused just below, like any other body that is not an event
	}
	const parsed = eventSchema.safeParse(body);
	const task = taskDataSchema.safeParse(parsed.data?.data);
	if (
		!parsed.success ||
		parsed.data.id !== id ||
		(parsed.data.type in EVENT_TYPES && !task.success)
	) {
		return refusal(400, {
			error: 'malformed_event',
			message:
				'The body is not a toapis event with the id of X-ToAPIs-Webhook-Id (task events need data.task_id and data.status)',
		});
	}
	return parsed.data;
}

function refusal(status: number, body: Refusal['body']): Refusal {
	return { status, body };
}

/** The toapis credential's signing secret, or the answer that makes toapis retry until it is set. */
export function signingSecret(
	ctx: IWebhookFunctions,
	credentials: IDataObject,
	who: string,
): string | IWebhookResponseData {
	const secret = String(credentials.webhookSecret ?? '').trim();
	if (credentials.apiFlavor === 'toapis' && secret) return secret;
	// A 5xx makes toapis retry for up to 24 h: time to fix the credential without losing the event.
	return answer(ctx, 500, {
		error: 'not_configured',
		message: `${who} needs a toapis Sora API credential with its Webhook Signing Secret set`,
	});
}
