/**
 * A local simulator of the Sora 2 video APIs the nodes speak: toapis (task API), OpenAI-compatible
 * (/v1/videos) and Azure OpenAI (/openai/v1/videos). Tests, the end-to-end run and the demo start it
 * on 127.0.0.1. It moves tasks through queued → in_progress → completed/failed over time, serves
 * videos from a separate CDN server that must never see the API key, checks request bodies against
 * the documented contract, rate-limits like toapis, and injects faults on demand.
 *
 * Grow it by adding routes to `routes` and scenario fields to `TaskScenario`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
	describeZodError,
	openAiRemixBody,
	openAiVideoBody,
	toapisCharacterBody,
	toapisModelViolations,
	toapisRemixBody,
	toapisVideoBody,
} from './contract.mts';

export type Flavor = 'toapis' | 'openaiCompatible' | 'azure';
type Body = Record<string, unknown>;
export type TaskKind = 'video' | 'character';

import { familyContract, grokExtendBody, grokRemixBody, LAST_FRAME_MODELS, VIDEO_MODEL_IDS } from './families.mts';
import { makePng, SAMPLE_MP4, SAMPLE_THUMBNAIL } from './media.mts';
import { WebhookDispatcher, type WebhookConfig, type WebhookEvent, type WebhookFault, type WebhookVariant } from './webhooks.mts';

export { SAMPLE_MP4, SAMPLE_THUMBNAIL };
export const DEFAULT_API_KEY = 'sk-sim-0123456789abcdef';

/** How a task behaves; set per task, per prompt directive ("[sim:fail]") or as the default. */
export interface TaskScenario {
	outcome: 'completed' | 'failed' | 'stuck';
	durationMs: number;
	error?: { code: string; message: string };
	/** Serve a generated video of this many bytes instead of the small sample MP4 */
	videoBytes?: number;
	/** Serve the generated video at this many bytes per second (a slow CDN); default as fast as the client takes it */
	videoBytesPerSecond?: number;
	/** The video URL expires this long after completion (default 24 h) */
	expiresAfterMs?: number;
	/** Reseller-style answers: status synonyms, progress as "65%", ms timestamps, URL in metadata.url */
	resellerQuirks?: boolean;
	/** OpenAI flavors: /content answers 302 to the CDN instead of streaming itself */
	contentRedirect?: boolean;
	/** The CDN answers the video URL with a redirect to another CDN path */
	cdnRedirect?: boolean;
	/** OpenAI flavors: /content?variant=thumbnail is refused, as on hosts that serve only the video */
	noThumbnail?: boolean;
}

export interface SimTask {
	id: string;
	flavor: Flavor;
	kind: TaskKind;
	model: string;
	createdAt: number;
	scenario: TaskScenario;
	request: unknown;
	seconds?: string;
	size?: string;
	remixedFrom?: string;
	/** Number of status reads */
	reads: number;
}

export interface Fault {
	match?: { method?: string; path?: string | RegExp; server?: 'api' | 'cdn' };
	/** How many requests it hits; default 1 */
	times?: number;
	kind: 'status' | 'html' | 'badJson' | 'reset' | 'hang' | 'notAccepted';
	/** kind 'notAccepted': which host's answer (NOT_ACCEPTED) */
	reason?: NotAcceptedReason;
	status?: number;
	headers?: Record<string, string>;
	body?: unknown;
	/** Handle the request normally first (a submit creates its task), then answer with the fault */
	afterHandling?: boolean;
}

export interface RecordedRequest {
	server: 'api' | 'cdn';
	method: string;
	path: string;
	query: string;
	flavor?: Flavor;
	headers: Record<string, string | undefined>;
	body?: unknown;
	status?: number;
	at: number;
	/** When the answer was fully sent (for downloads: when the last byte left) */
	doneAt?: number;
	/** The x-sim-label header: a tag a client may put on its requests to know them again (only recorded) */
	label?: string;
	/** The task this request created, whatever its answer said (a fault after handling may have hidden it) */
	createdTask?: string;
}

export interface RateLimit {
	/** tokens per second and bucket size, per the toapis default group: submit 5/s burst 50, query 50/s burst 500 */
	submitPerSecond: number;
	submitBurst: number;
	queryPerSecond: number;
	queryBurst: number;
	/** false = like a provider that says nothing about its limit until it answers 429 (default: toapis' headers on every answer) */
	headersOnSuccess?: boolean;
	/**
	 * What X-RateLimit-Reset says: 'seconds' until the bucket is full (the default, what the project has assumed for
	 * toapis, which does not define it), 'unix' = the Unix time (whole seconds) when it is full, as GitHub and many
	 * other APIs send it, or 'none' = no reset header at all.
	 */
	resetForm?: 'seconds' | 'unix' | 'none';
}

/**
 * How an OpenAI-style host behaves where hosts differ: 'openai' = OpenAI's API as its SDK and spec describe it;
 * 'new-api' = a new-api reseller (QuantumNous/new-api): its Sora channel takes create only as multipart/form-data
 * (JSON → 400 invalid_multipart_form) and its /content proxy ignores `variant`, answering every variant with the MP4.
 */
export type OpenAiHost = 'openai' | 'new-api';

export interface SimulatorOptions {
	apiKey?: string;
	defaultScenario?: Partial<TaskScenario>;
	rateLimit?: RateLimit;
	host?: string;
	port?: number;
	cdnPort?: number;
	/** OpenAI-style flavors: which host to behave like (default 'openai') */
	openAiHost?: OpenAiHost;
}

/**
 * Answers that say "not accepted": the limiter refused the request before it went any further, so nothing was
 * created (docs/providers.md#8-rate-limits). `Fault.kind: 'notAccepted'` with one of these as `reason`.
 */
export const NOT_ACCEPTED = {
	/** new-api's per-token concurrency gate, full */
	token_concurrency_limit_reached: { status: 429, body: { error: { message: 'token_concurrency_limit_reached (request id: sim)', type: 'new_api_error', code: 'token_concurrency_limit_reached' } } },
	/** new-api's per-token concurrency gate, its store unreachable */
	token_concurrency_unavailable: { status: 503, body: { error: { message: 'token_concurrency_unavailable (request id: sim)', type: 'new_api_error', code: 'token_concurrency_unavailable' } } },
	/** toapis' submit limiter is down (queries still work) */
	rate_limit_unavailable: { status: 503, body: { error: { code: 'rate_limit_unavailable', message: 'Rate limiter unavailable, please retry later', type: 'rate_limit_error' } } },
} as const;
export type NotAcceptedReason = keyof typeof NOT_ACCEPTED;

class TokenBucket {
	private tokens: number;
	private last = Date.now();
	constructor(
		private readonly perSecond: number,
		private readonly burst: number,
		private readonly resetForm: RateLimit['resetForm'] = 'seconds',
	) {
		this.tokens = burst;
	}
	/** Takes a token, or says how many ms until one is there */
	take(): number {
		const now = Date.now();
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
		this.last = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return 0;
		}
		return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
	}
	/**
	 * What toapis reports on every answer: bucket size, whole tokens left, and when the bucket is full: in whole seconds
	 * from now, as the Unix time in whole seconds, or not at all (resetForm)
	 */
	headers(): Record<string, string> {
		const fullInS = (this.burst - this.tokens) / this.perSecond;
		const headers: Record<string, string> = {
			'x-ratelimit-limit': String(this.burst),
			'x-ratelimit-remaining': String(Math.floor(this.tokens)),
		};
		if (this.resetForm === 'unix') headers['x-ratelimit-reset'] = String(Math.ceil(this.last / 1000 + fullInS));
		else if (this.resetForm !== 'none') headers['x-ratelimit-reset'] = String(Math.ceil(fullInS));
		return headers;
	}
}

function newId(prefix: string): string {
	return `${prefix}${randomBytes(12).toString('hex')}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function matches(fault: Fault, server: 'api' | 'cdn', method: string, path: string): boolean {
	const m = fault.match ?? {};
	if ((m.server ?? 'api') !== server) return false;
	if (m.method && m.method.toUpperCase() !== method) return false;
	if (m.path instanceof RegExp) return m.path.test(path);
	if (typeof m.path === 'string') return path === m.path || path.startsWith(m.path);
	return true;
}

/** Prompt directives let workflows (e2e, demo) pick a scenario: "[sim:fail]", "[sim:stuck]", "[sim:ms=3000]". */
function scenarioFromPrompt(prompt: unknown): Partial<TaskScenario> {
	if (typeof prompt !== 'string') return {};
	const out: Partial<TaskScenario> = {};
	if (prompt.includes('[sim:fail]')) {
		out.outcome = 'failed';
		out.error = { code: 'generation_failed', message: 'Generation failed: Content violates the content policy' };
	}
	if (prompt.includes('[sim:stuck]')) out.outcome = 'stuck';
	const ms = /\[sim:ms=(\d+)\]/.exec(prompt);
	if (ms) out.durationMs = Number(ms[1]);
	const bytes = /\[sim:bytes=(\d+)\]/.exec(prompt);
	if (bytes) out.videoBytes = Number(bytes[1]);
	const rate = /\[sim:bps=(\d+)\]/.exec(prompt);
	if (rate) out.videoBytesPerSecond = Number(rate[1]);
	return out;
}

function withoutFileData(body: unknown): unknown {
	if (typeof body !== 'object' || body === null) return body;
	return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, isUploadedFile(v) ? { fileName: v.fileName, type: v.type, size: v.size } : v]));
}

/** A file part of a multipart body, as the simulator keeps it */
export interface UploadedFile {
	file: true;
	fileName: string;
	type: string;
	size: number;
	data: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
	return typeof value === 'object' && value !== null && (value as UploadedFile).file === true;
}

/** Parses multipart/form-data with the platform's own parser (undici's Request.formData). */
async function parseMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
	const form = await new Request('http://sim/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(raw) }).formData();
	const out: Record<string, unknown> = {};
	for (const [key, value] of form as unknown as Iterable<[string, string | File]>) {
		if (typeof value === 'string') out[key] = value;
		else {
			const data = Buffer.from(await value.arrayBuffer());
			out[key] = { file: true, fileName: value.name, type: value.type, size: data.length, data } satisfies UploadedFile;
		}
	}
	return out;
}

/** Image type and size from the first bytes (PNG and JPEG are what tests send). */
export function imageInfo(data: Buffer): { type: string; width?: number; height?: number } | undefined {
	if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) return { type: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8) {
		let offset = 2;
		while (offset + 9 < data.length && data[offset] === 0xff) {
			const marker = data[offset + 1];
			if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
				return { type: 'image/jpeg', height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
			}
			offset += 2 + data.readUInt16BE(offset + 2);
		}
		return { type: 'image/jpeg' };
	}
	if (data.length >= 12 && data.toString('ascii', 0, 4) === 'RIFF' && data.toString('ascii', 8, 12) === 'WEBP') return { type: 'image/webp' };
	if (data.length >= 10 && data.toString('ascii', 0, 3) === 'GIF') return { type: 'image/gif', width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
	return undefined;
}

function videoExtension(data: Buffer): 'mp4' | 'webm' | undefined {
	if (data.length >= 12 && data.toString('ascii', 4, 8) === 'ftyp') return 'mp4';
	if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
	return undefined;
}

export class SoraSimulator {
	readonly apiKey: string;
	readonly tasks = new Map<string, SimTask>();
	readonly requests: RecordedRequest[] = [];
	/** Requests that broke the documented contract (the simulator answered them with 400) */
	readonly violations: string[] = [];
	/** Requests that reached the CDN carrying an API key header: must stay empty */
	readonly leaks: string[] = [];
	/** Submissions, in order, with their bodies: identical bodies twice mean a duplicate paid video */
	readonly submissions: Array<{ flavor: Flavor; body: unknown; at: number }> = [];
	/** toapis: how long after its creation a task can be found by its client_business_id (indexing delay) */
	businessIdLagMs = 0;
	/** toapis: the token's credits (GET /v1/balance); each accepted video costs creditsPerVideo, 200 credits = 1 USD */
	account = defaultAccount();
	/** Generated (videoBytes) videos served: bytes sent and the time from the first byte to the last one taken */
	readonly videoStreams: Array<{ taskId: string; bytes: number; ms: number; complete: boolean }> = [];
	rateLimited = 0;
	/** Refused with a "not accepted" fault (NOT_ACCEPTED), by reason */
	readonly notAccepted: Partial<Record<NotAcceptedReason, number>> = {};
	defaultScenario: TaskScenario;
	/** OpenAI-style flavors: which host's behaviour (see OpenAiHost) */
	openAiHost: OpenAiHost;
	private faults: Fault[] = [];
	private rateLimit?: RateLimit;
	private buckets = new Map<string, TokenBucket>();
	private api: http.Server;
	private cdn: http.Server;
	private hanging = new Set<ServerResponse>();
	/** The request being handled, so the task it creates is recorded on it */
	private handling = new AsyncLocalStorage<RecordedRequest>();
	/** toapis task webhooks: configuration, faults and every delivery made */
	readonly webhooks = new WebhookDispatcher();
	/** Uploaded files by id, served back from the CDN */
	readonly uploads = new Map<string, UploadedFile>();
	/** What toapis' GET /v1/models?type=video lists for the key */
	videoModels: string[] = [...VIDEO_MODEL_IDS];
	url = '';
	cdnUrl = '';

	constructor(private readonly options: SimulatorOptions = {}) {
		this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
		this.defaultScenario = { outcome: 'completed', durationMs: 1500, ...options.defaultScenario };
		this.rateLimit = options.rateLimit;
		this.openAiHost = options.openAiHost ?? 'openai';
		this.api = http.createServer((req, res) => void this.handle('api', req, res));
		this.cdn = http.createServer((req, res) => void this.handle('cdn', req, res));
	}

	async start(): Promise<this> {
		const host = this.options.host ?? '127.0.0.1';
		const listen = (server: http.Server, port: number) =>
			new Promise<number>((resolve) => server.listen(port, host, () => resolve((server.address() as AddressInfo).port)));
		this.url = `http://${host}:${await listen(this.api, this.options.port ?? 0)}`;
		this.cdnUrl = `http://${host}:${await listen(this.cdn, this.options.cdnPort ?? 0)}`;
		return this;
	}

	async close(): Promise<void> {
		this.webhooks.close();
		for (const res of this.hanging) res.destroy();
		this.api.closeAllConnections();
		this.cdn.closeAllConnections();
		await Promise.all([
			new Promise((resolve) => this.api.close(resolve)),
			new Promise((resolve) => this.cdn.close(resolve)),
		]);
	}

	inject(...faults: Fault[]): void {
		this.faults.push(...faults.map((fault) => ({ times: 1, ...fault })));
	}

	setRateLimit(rateLimit: RateLimit | undefined): void {
		this.rateLimit = rateLimit;
		this.buckets.clear();
	}

	/** Forget requests, faults and tasks (not the configuration) */
	reset(): void {
		this.tasks.clear();
		this.requests.length = 0;
		this.violations.length = 0;
		this.leaks.length = 0;
		this.submissions.length = 0;
		this.videoStreams.length = 0;
		this.faults = [];
		this.buckets.clear();
		this.rateLimited = 0;
		for (const reason of Object.keys(this.notAccepted)) delete this.notAccepted[reason as NotAcceptedReason];
		this.webhooks.reset();
		this.businessIdLagMs = 0;
		this.account = defaultAccount();
	}

	/** Creates a task as if it had been submitted (tests of Task Status need tasks to read). */
	createTask(flavor: Flavor, kind: TaskKind = 'video', scenario: Partial<TaskScenario> = {}, model = 'sora-2'): SimTask {
		const prefix = kind === 'character' ? 'task_' : flavor === 'toapis' ? 'video_' : 'video_';
		const task: SimTask = {
			id: newId(prefix),
			flavor,
			kind,
			model,
			createdAt: Date.now(),
			scenario: { ...this.defaultScenario, ...scenario },
			request: undefined,
			reads: 0,
		};
		this.tasks.set(task.id, task);
		const request = this.handling.getStore();
		if (request) request.createdTask = task.id;
		return task;
	}

	/** Status reads per task id */
	readsOf(id: string): number {
		return this.tasks.get(id)?.reads ?? 0;
	}

	requestsTo(server: 'api' | 'cdn' = 'api'): RecordedRequest[] {
		return this.requests.filter((r) => r.server === server && !r.path.startsWith('/__sim'));
	}

	// ---------------------------------------------------------------------------------------------

	private state(task: SimTask, now = Date.now()) {
		const elapsed = now - task.createdAt;
		const { durationMs, outcome } = task.scenario;
		const queuedFor = Math.min(300, durationMs * 0.2);
		if (outcome !== 'stuck' && elapsed >= durationMs) {
			return { status: outcome === 'failed' ? 'failed' : 'completed', progress: outcome === 'failed' ? 0 : 100, finishedAt: task.createdAt + durationMs } as const;
		}
		if (elapsed < queuedFor) return { status: 'queued', progress: 0 } as const;
		const progress = outcome === 'stuck' ? 50 : Math.min(99, Math.floor((elapsed / durationMs) * 100));
		return { status: 'in_progress', progress } as const;
	}

	/** Usernames of finished character tasks: what @mentions in prompts may refer to */
	characterUsernames(): Set<string> {
		const names = new Set<string>();
		for (const task of this.tasks.values()) {
			if (task.kind === 'character' && this.state(task).status === 'completed') names.add(this.usernameOf(task));
		}
		return names;
	}

	usernameOf(task: SimTask): string {
		return `sim${task.id.slice(5, 11)}.character`;
	}

	private videoUrl(task: SimTask): string {
		return `${this.cdnUrl}/videos/${task.id}.mp4`;
	}

	private thumbnailUrl(task: SimTask): string {
		return `${this.cdnUrl}/thumbnails/${task.id}.jpg`;
	}

	private expiresAt(task: SimTask): number | undefined {
		const state = this.state(task);
		if (state.status !== 'completed') return undefined;
		return state.finishedAt + (task.scenario.expiresAfterMs ?? 24 * 3600 * 1000);
	}

	private toapisTask(task: SimTask): Record<string, unknown> {
		const state = this.state(task);
		const quirks = task.scenario.resellerQuirks;
		const seconds = (ms: number) => (quirks ? ms : Math.floor(ms / 1000));
		const body: Record<string, unknown> = {
			id: task.id,
			object: 'generation.task',
			model: task.model,
			status: quirks ? { queued: 'submitted', in_progress: 'processing', completed: 'SUCCESS', failed: 'FAILURE' }[state.status] : state.status,
			progress: quirks ? `${state.progress}%` : state.progress,
			created_at: seconds(task.createdAt),
			metadata: {},
		};
		const businessId = (task.request as { client_business_id?: string } | undefined)?.client_business_id;
		if (businessId !== undefined) body.client_business_id = businessId;
		if (state.status === 'completed') {
			body.completed_at = seconds(state.finishedAt);
			body.expires_at = seconds(this.expiresAt(task)!);
			if (task.kind === 'character') {
				body.result = {
					type: 'character',
					data: {
						characters: [
							{
								id: `ch_${task.id.slice(5, 21)}`,
								display_name: 'Sim Character',
								profile_picture_url: `${this.cdnUrl}/thumbnails/${task.id}.jpg`,
								username: this.usernameOf(task),
							},
						],
					},
				};
			} else if (quirks) {
				body.metadata = { url: this.videoUrl(task) };
			} else {
				// metadata.n variants: one result entry each
				const request = task.request as { thumbnail?: boolean; return_last_frame?: boolean; metadata?: { n?: number } } | undefined;
				const data = Array.from({ length: request?.metadata?.n ?? 1 }, (_, i) => {
					const entry: Record<string, unknown> = { url: this.videoUrl(task) + (i ? `?variant=${i + 1}` : ''), format: 'mp4' };
					if (request?.thumbnail) entry.thumbnail_url = this.thumbnailUrl(task);
					// Seedance 2 / 2.5: return_last_frame puts the last frame at result.data[0].last_frame_url
					if (i === 0 && request?.return_last_frame && LAST_FRAME_MODELS.has(task.model)) entry.last_frame_url = `${this.cdnUrl}/frames/${task.id}.png`;
					return entry;
				});
				body.result = { type: 'video', data };
			}
		}
		if (state.status === 'failed') body.error = task.scenario.error ?? { code: 'generation_failed', message: 'Generation failed' };
		return body;
	}

	private openAiTask(task: SimTask): Record<string, unknown> {
		const state = this.state(task);
		const quirks = task.scenario.resellerQuirks;
		const time = (ms: number) => (quirks ? ms : Math.floor(ms / 1000));
		const body: Record<string, unknown> = {
			id: task.id,
			object: 'video',
			model: task.model,
			status: quirks && state.status === 'in_progress' ? 'processing' : state.status,
			progress: quirks ? String(state.progress) : state.progress,
			created_at: time(task.createdAt),
			completed_at: state.status === 'completed' ? time(state.finishedAt) : null,
			expires_at: state.status === 'completed' ? time(this.expiresAt(task)!) : null,
			error: state.status === 'failed' ? (task.scenario.error ?? { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system' }) : null,
			seconds: task.seconds ?? '4',
			size: task.size ?? '720x1280',
			remixed_from_video_id: task.remixedFrom ?? null,
		};
		if (quirks && state.status === 'completed') body.metadata = { url: this.videoUrl(task) };
		return body;
	}

	private errorBody(flavor: Flavor | undefined, status: number, code: string, message: string, type: string) {
		if (flavor === 'toapis') return { error: { code: status === 429 ? 'rate_limit_exceeded' : status, message, type } };
		return { error: { message, type, param: null, code } };
	}

	private authorized(flavor: Flavor, req: IncomingMessage): boolean {
		if (flavor === 'azure') return req.headers['api-key'] === this.apiKey;
		return req.headers.authorization === `Bearer ${this.apiKey}`;
	}

	private limited(flavor: Flavor, category: 'submit' | 'query', res: ServerResponse): boolean {
		if (!this.rateLimit) return false;
		const key = `${flavor}:${category}`;
		let bucket = this.buckets.get(key);
		if (!bucket) {
			const rl = this.rateLimit;
			bucket = category === 'submit' ? new TokenBucket(rl.submitPerSecond, rl.submitBurst, rl.resetForm) : new TokenBucket(rl.queryPerSecond, rl.queryBurst, rl.resetForm);
			this.buckets.set(key, bucket);
		}
		const waitMs = bucket.take();
		const headers = { ...bucket.headers(), 'x-ratelimit-category': category === 'submit' ? 'async_submit' : 'async_query' };
		if (waitMs === 0) {
			if (this.rateLimit.headersOnSuccess !== false) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
			return false;
		}
		this.rateLimited++;
		sendJson(res, 429, this.errorBody(flavor, 429, 'rate_limit_exceeded', 'Async task request rate exceeded', 'rate_limit_error'), {
			...headers,
			'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
		});
		return true;
	}

	private violation(res: ServerResponse, flavor: Flavor, where: string, problem: string) {
		this.violations.push(`${where}: ${problem}`);
		sendJson(res, 400, this.errorBody(flavor, 400, 'invalid_request', problem, 'invalid_request_error'));
	}

	private validate<T>(res: ServerResponse, flavor: Flavor, where: string, schema: z.ZodType<T>, body: unknown): T | undefined {
		const parsed = schema.safeParse(body);
		if (parsed.success) return parsed.data;
		this.violation(res, flavor, where, describeZodError(parsed.error));
		return undefined;
	}

	private async handle(server: 'api' | 'cdn', req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sim');
		const method = (req.method ?? 'GET').toUpperCase();
		const raw = await readBody(req);
		const record: RecordedRequest = {
			server,
			method,
			path: url.pathname,
			query: url.search,
			headers: {
				authorization: req.headers.authorization,
				'api-key': req.headers['api-key'] as string | undefined,
				'content-type': req.headers['content-type'],
				'user-agent': req.headers['user-agent'],
			},
			at: Date.now(),
			label: req.headers['x-sim-label'] as string | undefined,
		};
		if (raw.length && String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
			record.body = await parseMultipart(raw, String(req.headers['content-type']));
		} else if (raw.length) {
			const text = raw.toString('utf8');
			try {
				record.body = JSON.parse(text);
			} catch {
				record.body = text.slice(0, 2000);
			}
		}
		this.requests.push(record);
		res.on('finish', () => {
			record.status = res.statusCode;
			record.doneAt = Date.now();
		});

		if (server === 'cdn' && (req.headers.authorization || req.headers['api-key'])) {
			this.leaks.push(`${method} ${url.pathname} carried ${req.headers.authorization ? 'Authorization' : 'api-key'}`);
		}

		const fault = this.faults.find((f) => (f.times ?? 1) > 0 && matches(f, server, method, url.pathname));
		if (fault) fault.times = (fault.times ?? 1) - 1;
		if (fault && !fault.afterHandling) return this.answerFault(fault, req, res);
		if (fault?.afterHandling) {
			// Let the normal handler do its work (create the task) but swallow its answer.
			const before = new Set(this.tasks.keys());
			const sink = new http.ServerResponse(req);
			await this.handling.run(record, () => this.route(server, url, method, record, req, sink as ServerResponse));
			const created = [...this.tasks.keys()].find((id) => !before.has(id));
			return this.answerFault(fault, req, res, created);
		}
		await this.handling.run(record, () => this.route(server, url, method, record, req, res));
	}

	/** `createdId`: the task the request created before the fault struck (afterHandling) */
	private answerFault(fault: Fault, req: IncomingMessage, res: ServerResponse, createdId?: string): void {
		switch (fault.kind) {
			case 'reset':
				req.socket.destroy();
				return;
			case 'hang':
				this.hanging.add(res);
				return;
			case 'html': {
				const html = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
				res.writeHead(fault.status ?? 502, { 'content-type': 'text/html', ...fault.headers });
				res.end(html);
				return;
			}
			case 'notAccepted': {
				const reason = fault.reason ?? 'token_concurrency_limit_reached';
				this.notAccepted[reason] = (this.notAccepted[reason] ?? 0) + 1;
				const { status, body } = NOT_ACCEPTED[reason];
				sendJson(res, status, body, fault.headers);
				return;
			}
			case 'badJson':
				res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', ...fault.headers });
				// A cut-off answer: it starts like the real one would
				res.end(`{"id": "${createdId ?? 'video_broken'}", "object": "generation.task", "status": `);
				return;
			default:
				sendJson(res, fault.status ?? 500, fault.body ?? { error: { code: fault.status ?? 500, message: 'Injected fault' } }, fault.headers);
		}
	}

	private async route(
		server: 'api' | 'cdn',
		url: URL,
		method: string,
		record: RecordedRequest,
		req: IncomingMessage,
		res: ServerResponse,
	): Promise<void> {
		const path = url.pathname;
		if (server === 'cdn') return this.serveCdn(path, res);
		if (path.startsWith('/__sim/')) return this.control(path, method, record.body, res);

		const flavor: Flavor | undefined = path.startsWith('/openai/v1/')
			? 'azure'
			: path.startsWith('/v1/videos/generations') || path === '/v1/balance' || path.startsWith('/v1/characters_tasks') || path.startsWith('/v1/uploads') || path.startsWith('/v1/videos/') && this.isToapisRemix(path) || /^\/v1\/videos\/[^/]+\/extend$/.test(path) || (path === '/v1/models' && url.searchParams.has('type'))
				? 'toapis'
				: path.startsWith('/v1/')
					? 'openaiCompatible'
					: undefined;
		record.flavor = flavor;
		if (!flavor) return sendJson(res, 404, { error: { message: `No route ${method} ${path}`, type: 'not_found_error' } });
		if (!this.authorized(flavor, req)) {
			const message = flavor === 'toapis' ? 'Authentication failed, please check your API key' : 'Incorrect API key provided';
			return sendJson(res, 401, this.errorBody(flavor, 401, 'invalid_api_key', message, flavor === 'toapis' ? 'authentication_error' : 'invalid_request_error'));
		}
		const rest = flavor === 'azure' ? path.slice('/openai/v1'.length) : path.slice('/v1'.length);
		if (flavor === 'toapis' && method === 'GET' && rest === '/models') return this.listModels(url.searchParams.get('type'), res);
		return flavor === 'toapis' ? this.routeToapis(rest, method, record, res) : this.routeOpenAi(flavor, rest, method, url, record, res);
	}

	/** toapis and OpenAI-style hosts share /v1/videos/{id}/remix; toapis ids are the ones toapis created */
	private isToapisRemix(path: string): boolean {
		const m = /^\/v1\/videos\/([^/]+)\/remix$/.exec(path);
		return !!m && this.tasks.get(decodeURIComponent(m[1]))?.flavor === 'toapis';
	}

	/** toapis GET /v1/models?type=video: the models the key may use (docs/models.md#the-model-list) */
	private listModels(type: string | null, res: ServerResponse) {
		const ids = type === 'video' || type === 'all' ? this.videoModels : [];
		return sendJson(res, 200, {
			success: true,
			object: 'list',
			data: ids.map((id) => ({ id, object: 'model', created: 1767225600, owned_by: 'toapis', supported_endpoint_types: ['video'] })),
		});
	}

	private routeToapis(rest: string, method: string, record: RecordedRequest, res: ServerResponse) {
		const flavor: Flavor = 'toapis';
		let m: RegExpExecArray | null;
		if (method === 'GET' && rest === '/balance') return sendJson(res, 200, this.balanceAnswer());
		if (method === 'POST' && rest === '/videos/generations') {
			if (this.limited(flavor, 'submit', res)) return;
			const body = record.body as Record<string, unknown> | undefined;
			const characterMode = !!body && typeof body === 'object' && 'timestamps' in body;
			if (characterMode) {
				const valid = this.validate(res, flavor, 'POST /v1/videos/generations (character)', toapisCharacterBody, body);
				if (!valid) return;
				if (valid.from_task && !this.tasks.has(valid.from_task)) {
					return sendJson(res, 400, { error: { code: 'invalid_request', message: `Task ${valid.from_task} not found`, type: 'invalid_request_error' } });
				}
				this.submissions.push({ flavor, body, at: Date.now() });
				const task = this.createTask(flavor, 'character', {}, valid.model);
				task.request = body;
				return sendJson(res, 200, this.toapisTask(task));
			}
			const contract = familyContract(String(body?.model ?? ''));
			if (contract) return this.createFamilyTask(contract, body!, res);
			const valid = this.validate(res, flavor, 'POST /v1/videos/generations', toapisVideoBody, body);
			if (!valid) return;
			const ruleProblems = toapisModelViolations(valid);
			if (ruleProblems.length) return this.violation(res, flavor, 'POST /v1/videos/generations', ruleProblems.join('; '));
			const unknown = [...valid.prompt.matchAll(/@([a-z0-9]+\.[a-z0-9_]+)/g)].map((x) => x[1]).filter((u) => !this.characterUsernames().has(u));
			if (unknown.length) return sendJson(res, 400, { error: { code: 'invalid_request', message: `Unknown character @${unknown[0]}`, type: 'invalid_request_error' } });
			if (valid.metadata?.character_from_task && !this.tasks.has(valid.metadata.character_from_task)) {
				return sendJson(res, 400, { error: { code: 'invalid_request', message: `Task ${valid.metadata.character_from_task} not found`, type: 'invalid_request_error' } });
			}
			const callbackProblem = this.webhooks.callbackProblem(valid.callback_url);
			if (callbackProblem) {
				const code = callbackProblem === 'webhook_not_configured' ? callbackProblem : 'invalid_request';
				return sendJson(res, 400, { error: { code, message: callbackProblem, type: 'invalid_request_error' } });
			}
			if (!this.charge()) {
				return sendJson(res, 402, { error: { code: 'insufficient_quota', message: 'Insufficient balance, please top up', type: 'insufficient_quota' } });
			}
			this.submissions.push({ flavor, body, at: Date.now() });
			const task = this.createTask(flavor, 'video', scenarioFromPrompt(valid.prompt), valid.model);
			task.request = body;
			this.scheduleWebhook(task, valid.callback_url);
			const created = this.toapisTask(task);
			created.metadata = valid.model === 'sora-2-official' ? { size: valid.aspect_ratio === '16:9' ? '1280x720' : '720x1280', seconds: String(valid.duration ?? 4) } : { size: '720x720' };
			return sendJson(res, 200, created);
		}
		if (method === 'POST' && (rest === '/uploads/images' || rest === '/uploads/videos')) {
			return this.acceptUpload(rest === '/uploads/images' ? 'image' : 'video', record, res);
		}
		if (method === 'GET' && (m = /^\/videos\/generations\/([^/]+)$/.exec(rest))) {
			if (this.limited(flavor, 'query', res)) return;
			return this.readTask(flavor, 'video', decodeURIComponent(m[1]), res);
		}
		if (method === 'GET' && (m = /^\/characters_tasks\/([^/]+)$/.exec(rest))) {
			if (this.limited(flavor, 'query', res)) return;
			return this.readTask(flavor, 'character', decodeURIComponent(m[1]), res);
		}
		if (method === 'POST' && (m = /^\/videos\/([^/]+)\/(remix|extend)$/.exec(rest)) && (m[2] === 'extend' || (record.body as Body | undefined)?.model === 'grok-video-1.0')) {
			if (this.limited(flavor, 'submit', res)) return;
			const where = `POST /v1/videos/{id}/${m[2]}`;
			const valid = this.validate(res, flavor, where, m[2] === 'extend' ? grokExtendBody : grokRemixBody, record.body);
			if (!valid) return;
			const source = this.tasks.get(decodeURIComponent(m[1]));
			if (!source || source.flavor !== flavor) return sendJson(res, 404, { error: { code: 404, message: 'Task not found', type: 'not_found_error' } });
			if (source.model !== 'grok-video-1.0') return this.violation(res, flavor, where, `video ${m[1]} was made by ${source.model}, not grok-video-1.0`);
			this.submissions.push({ flavor, body: { [m[2]]: m[1], ...valid }, at: Date.now() });
			const task = this.createTask(flavor, 'video', scenarioFromPrompt(valid.prompt), valid.model);
			task.remixedFrom = source.id;
			task.request = record.body;
			return sendJson(res, 200, this.toapisTask(task));
		}
		if (method === 'POST' && (m = /^\/videos\/([^/]+)\/remix$/.exec(rest))) {
			if (this.limited(flavor, 'submit', res)) return;
			const valid = this.validate(res, flavor, 'POST /v1/videos/{id}/remix', toapisRemixBody, record.body);
			if (!valid) return;
			if (valid.model === 'sora-2-official' && (valid.duration !== undefined || valid.aspect_ratio !== undefined)) {
				return this.violation(res, flavor, 'POST /v1/videos/{id}/remix', 'sora-2-official remix takes only model and prompt');
			}
			const source = this.tasks.get(decodeURIComponent(m[1]));
			if (!source || source.flavor !== flavor) return sendJson(res, 404, { error: { code: 404, message: 'Task not found', type: 'not_found_error' } });
			this.submissions.push({ flavor, body: { remix: m[1], ...valid }, at: Date.now() });
			const task = this.createTask(flavor, 'video', scenarioFromPrompt(valid.prompt), valid.model);
			task.remixedFrom = decodeURIComponent(m[1]);
			return sendJson(res, 200, this.toapisTask(task));
		}
		return sendJson(res, 404, { error: { code: 404, message: `No route ${method} /v1${rest}`, type: 'not_found_error' } });
	}

	/** A create for one of toapis' other families: its page's schema and combination rules (families.mts). */
	private createFamilyTask(contract: NonNullable<ReturnType<typeof familyContract>>, body: Body, res: ServerResponse) {
		const where = `POST /v1/videos/generations (${String(body.model)})`;
		const valid = this.validate(res, 'toapis', where, contract.schema, body) as Body | undefined;
		if (!valid) return;
		const problems = contract.rules?.(valid) ?? [];
		if (problems.length) return this.violation(res, 'toapis', where, problems.join('; '));
		const callbackUrl = (valid.callback_url ?? (valid.metadata as Body | undefined)?.callback_url) as string | undefined;
		const callbackProblem = this.webhooks.callbackProblem(callbackUrl);
		if (callbackProblem) {
			const code = callbackProblem === 'webhook_not_configured' ? callbackProblem : 'invalid_request';
			return sendJson(res, 400, { error: { code, message: callbackProblem, type: 'invalid_request_error' } });
		}
		this.submissions.push({ flavor: 'toapis', body, at: Date.now() });
		const task = this.createTask('toapis', 'video', scenarioFromPrompt(valid.prompt), String(valid.model));
		task.request = body;
		this.scheduleWebhook(task, callbackUrl);
		return sendJson(res, 200, this.toapisTask(task));
	}

	/** When the task finishes, its event goes to the request's callback_url, else to the default URL (if set). */
	private scheduleWebhook(task: SimTask, callbackUrl: string | undefined): void {
		const url = callbackUrl ?? this.webhooks.config.defaultUrl;
		if (!url || task.scenario.outcome === 'stuck') return;
		this.webhooks.later(task.scenario.durationMs + 10, () => this.webhooks.dispatch(this.webhookEvent(task), url));
	}

	/** The event toapis sends for a finished task (docs/providers.md#7-toapis-webhooks). */
	webhookEvent(task: SimTask): WebhookEvent {
		const body = this.toapisTask(task);
		const failed = this.state(task).status === 'failed';
		return this.webhooks.newEvent(failed ? 'generation.failed' : 'generation.completed', {
			task_id: task.id,
			client_business_id: body.client_business_id ?? null,
			task_type: task.kind,
			model: task.model,
			status: failed ? 'FAILURE' : 'SUCCESS',
			progress: '100%',
			result: body.result ?? null,
			error: body.error ?? null,
			submitted_at: Math.floor(task.createdAt / 1000),
			finished_at: Math.floor((task.createdAt + task.scenario.durationMs) / 1000),
		});
	}

	/** Control API for webhooks: configure, arm faults, send one event now (a test event or a replay), read deliveries. */
	private webhookControl(path: string, method: string, input: Record<string, unknown>, res: ServerResponse): void {
		const hooks = this.webhooks;
		if (method === 'POST' && path === '/__sim/webhooks') {
			hooks.configure(input as Partial<WebhookConfig>);
			return sendJson(res, 200, { ok: true, defaultUrl: hooks.config.defaultUrl ?? null, retryDelaysMs: hooks.config.retryDelaysMs, rotating: !!hooks.config.previousSecret });
		}
		if (method === 'POST' && path === '/__sim/webhooks/faults') {
			hooks.inject(...((Array.isArray(input) ? input : [input]) as WebhookFault[]));
			return sendJson(res, 200, { ok: true });
		}
		if (method === 'POST' && path === '/__sim/webhooks/send') {
			const replay = typeof input.replayOf === 'string' ? hooks.events.get(input.replayOf) : undefined;
			if (input.replayOf !== undefined && !replay) return sendJson(res, 404, { message: `No event ${String(input.replayOf)}` });
			// A replay, an event with the given type and data (what a forger would send), or the console's test event
			const given = input.event as { type: WebhookEvent['type']; data: Record<string, unknown> } | undefined;
			const event = replay ?? (given ? hooks.newEvent(given.type, given.data) : hooks.newEvent('endpoint.test', { message: 'Test event from the toapis console' }));
			const firstUrl = replay ? hooks.deliveries.find((d) => d.eventId === replay.id)?.url : undefined;
			const url = (input.url as string | undefined) ?? firstUrl ?? hooks.config.defaultUrl;
			if (!url) return sendJson(res, 400, { message: 'No url and no default webhook URL' });
			const variant = (input.variant as WebhookVariant | undefined) ?? (replay ? 'duplicate' : 'event');
			const before = hooks.deliveries.length;
			void hooks.deliver(event, url, variant, 1).then(() => sendJson(res, 200, hooks.deliveries[before]));
			return;
		}
		if (method === 'GET' && path === '/__sim/webhooks') {
			return sendJson(res, 200, { deliveries: hooks.deliveries, pending: hooks.pending, events: hooks.events.size });
		}
		sendJson(res, 404, { message: `No control route ${method} ${path}` });
	}

	/** toapis uploads (docs/providers.md#10-reference-images-and-uploads): multipart "file", type by its bytes, 10 MB images / 50 MB videos. */
	private acceptUpload(kind: 'image' | 'video', record: RecordedRequest, res: ServerResponse) {
		const file = (record.body as Record<string, unknown> | undefined)?.file;
		if (!isUploadedFile(file)) return this.violation(res, 'toapis', `POST /v1/uploads/${kind}s`, 'multipart field "file" is required');
		const limits = { image: { mb: 10, allowed: 'JPEG, PNG, WebP, GIF' }, video: { mb: 50, allowed: 'MP4, WebM, MOV' } }[kind];
		const ext = kind === 'image' ? imageInfo(file.data)?.type.split('/')[1].replace('jpeg', 'jpg') : videoExtension(file.data);
		const label = kind === 'image' ? 'Image' : 'Video';
		if (!ext) return sendJson(res, 400, { success: false, message: `Unsupported ${kind} type. Allowed: ${limits.allowed}` });
		if (file.size > limits.mb * 1024 * 1024) return sendJson(res, 400, { success: false, message: `${label} too large. Maximum size is ${limits.mb}MB` });
		const id = newId('upload_');
		this.uploads.set(id, file);
		return sendJson(res, 200, { success: true, message: '', data: { id, url: `${this.cdnUrl}/uploads/${id}.${ext}`, mime_type: file.type, size: file.size } });
	}

	/** toapis' GET /v1/balance: HTTP 200 either way, success false when the token cannot be read. */
	private balanceAnswer(): Record<string, unknown> {
		const a = this.account;
		if (a.tokenMissing) return { success: false, message: 'Failed to get token info: record not found' };
		return {
			success: true,
			remain_balance: a.unlimited ? -1 : a.remainCredits / 200,
			used_balance: a.usedCredits / 200,
			remain_credits: a.remainCredits,
			used_credits: a.usedCredits,
			credits_per_usd: 200,
			unlimited_quota: a.unlimited,
		};
	}

	/** Takes one video's credits; false when the token cannot pay for it (toapis answers 402). */
	private charge(): boolean {
		const a = this.account;
		if (!a.unlimited && a.remainCredits < a.creditsPerVideo) return false;
		if (!a.unlimited) a.remainCredits -= a.creditsPerVideo;
		a.usedCredits += a.creditsPerVideo;
		return true;
	}

	/** toapis reads a video task by the client_business_id it was created with, too (the newest such task). */
	private taskByBusinessId(id: string): SimTask | undefined {
		return [...this.tasks.values()]
			.filter((t) => t.flavor === 'toapis' && t.kind === 'video' && Date.now() >= t.createdAt + this.businessIdLagMs)
			.filter((t) => (t.request as { client_business_id?: string } | undefined)?.client_business_id === id)
			.sort((a, b) => b.createdAt - a.createdAt)[0];
	}

	private readTask(flavor: Flavor, kind: TaskKind, id: string, res: ServerResponse) {
		const task = this.tasks.get(id) ?? (flavor === 'toapis' && kind === 'video' ? this.taskByBusinessId(id) : undefined);
		if (!task || task.flavor !== flavor || task.kind !== kind) {
			return sendJson(res, 404, flavor === 'toapis'
				? { error: { code: 404, message: 'Task not found', type: 'not_found_error' } }
				: { error: { message: `Video with id '${id}' not found.`, type: 'invalid_request_error', param: null, code: 'not_found' } });
		}
		task.reads++;
		const body = flavor === 'toapis' ? this.toapisTask(task) : this.openAiTask(task);
		return sendJson(res, 200, body, flavor === 'toapis' ? {} : { 'openai-poll-after-ms': '1000' });
	}

	private routeOpenAi(flavor: Flavor, rest: string, method: string, url: URL, record: RecordedRequest, res: ServerResponse) {
		let m: RegExpExecArray | null;
		if (method === 'GET' && rest === '/models') {
			return sendJson(res, 200, { object: 'list', data: [{ id: 'sora-2', object: 'model', owned_by: 'simulator' }] });
		}
		if (method === 'POST' && rest === '/videos') {
			if (this.limited(flavor, 'submit', res)) return;
			const where = `POST ${flavor === 'azure' ? '/openai' : ''}/v1/videos`;
			if (this.openAiHost === 'new-api' && !String(record.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
				// new-api's Sora channel parses the create as a multipart form, as OpenAI's SDK sends it
				return this.violation(res, flavor, where, 'invalid_multipart_form: the request must be multipart/form-data');
			}
			const valid = this.validate(res, flavor, where, openAiVideoBody, record.body);
			if (!valid) return;
			if (valid.input_reference !== undefined) {
				if (!isUploadedFile(valid.input_reference)) return this.violation(res, flavor, where, 'input_reference must be a file');
				const info = imageInfo(valid.input_reference.data);
				const size = valid.size ?? '720x1280';
				if (!info || !['image/jpeg', 'image/png', 'image/webp'].includes(info.type)) return this.violation(res, flavor, where, 'input_reference must be JPEG, PNG or WebP');
				if (`${info.width}x${info.height}` !== size) return this.violation(res, flavor, where, `Inpaint image must match the requested width and height (${size}, got ${info.width}x${info.height})`);
			}
			this.submissions.push({ flavor, body: withoutFileData(record.body), at: Date.now() });
			const task = this.createTask(flavor, 'video', scenarioFromPrompt(valid.prompt), valid.model ?? 'sora-2');
			task.seconds = valid.seconds ?? '4';
			task.size = valid.size ?? '720x1280';
			task.request = record.body;
			return sendJson(res, 200, this.openAiTask(task));
		}
		if (method === 'GET' && (m = /^\/videos\/([^/]+)$/.exec(rest))) {
			if (this.limited(flavor, 'query', res)) return;
			return this.readTask(flavor, 'video', decodeURIComponent(m[1]), res);
		}
		if (method === 'GET' && (m = /^\/videos\/([^/]+)\/content$/.exec(rest))) {
			const task = this.tasks.get(decodeURIComponent(m[1]));
			if (!task || task.flavor !== flavor) return sendJson(res, 404, this.errorBody(flavor, 404, 'not_found', 'Video not found', 'invalid_request_error'));
			const state = this.state(task);
			if (state.status !== 'completed') {
				return sendJson(res, 400, this.errorBody(flavor, 400, 'video_not_ready', `Video is ${state.status}`, 'invalid_request_error'));
			}
			const variant = url.searchParams.get('variant') ?? 'video';
			if (Date.now() > this.expiresAt(task)!) return sendJson(res, 404, this.errorBody(flavor, 404, 'expired', 'Video content has expired', 'invalid_request_error'));
			if (task.scenario.contentRedirect) {
				res.writeHead(302, { location: variant === 'thumbnail' ? this.thumbnailUrl(task) : this.videoUrl(task) });
				res.end();
				return;
			}
			// new-api's content proxy ignores variant: every variant gets the video
			if (this.openAiHost === 'new-api') return this.streamVideo(task, res);
			if (variant === 'thumbnail' && task.scenario.noThumbnail) {
				return sendJson(res, 400, this.errorBody(flavor, 400, 'invalid_variant', 'Unsupported variant: thumbnail', 'invalid_request_error'));
			}
			if (variant === 'thumbnail') {
				res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': SAMPLE_THUMBNAIL.length });
				res.end(SAMPLE_THUMBNAIL);
				return;
			}
			return this.streamVideo(task, res);
		}
		if (method === 'POST' && (m = /^\/videos\/([^/]+)\/remix$/.exec(rest))) {
			if (this.limited(flavor, 'submit', res)) return;
			const valid = this.validate(res, flavor, 'POST /v1/videos/{id}/remix', openAiRemixBody, record.body);
			if (!valid) return;
			const source = this.tasks.get(decodeURIComponent(m[1]));
			if (!source || source.flavor !== flavor) return sendJson(res, 404, this.errorBody(flavor, 404, 'not_found', 'Video not found', 'invalid_request_error'));
			this.submissions.push({ flavor, body: { remix: m[1], ...valid }, at: Date.now() });
			const task = this.createTask(flavor, 'video', scenarioFromPrompt(valid.prompt), source.model);
			task.remixedFrom = source.id;
			task.seconds = source.seconds;
			task.size = source.size;
			return sendJson(res, 200, this.openAiTask(task));
		}
		return sendJson(res, 404, this.errorBody(flavor, 404, 'not_found', `No route ${method} ${rest}`, 'invalid_request_error'));
	}

	private streamVideo(task: SimTask, res: ServerResponse): void {
		const size = task.scenario.videoBytes;
		if (!size) {
			res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': SAMPLE_MP4.length });
			res.end(SAMPLE_MP4);
			return;
		}
		// A big file, generated on the fly so the simulator itself stays small: the sample's header, then filler.
		// Its timing is recorded: with backpressure the last byte leaves when the client has taken the one before.
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
		const chunk = Buffer.alloc(1024 * 1024, 0x2e);
		let sent = 0;
		const started = performance.now();
		res.once('close', () => {
			const complete = sent === size && res.writableFinished;
			this.videoStreams.push({ taskId: task.id, bytes: sent, ms: performance.now() - started, complete });
		});
		const rate = task.scenario.videoBytesPerSecond;
		const pump = () => {
			while (sent < size) {
				const piece = sent === 0 ? SAMPLE_MP4.subarray(0, Math.min(size, SAMPLE_MP4.length)) : chunk.subarray(0, Math.min(rate ? Math.max(1024, Math.round(rate / 10)) : chunk.length, size - sent));
				sent += piece.length;
				const drained = res.write(piece);
				// A slow CDN: the next piece after the time this one takes at the rate
				if (rate) return void setTimeout(pump, (piece.length / rate) * 1000);
				if (!drained) return void res.once('drain', pump);
			}
			res.end();
		};
		pump();
	}

	private serveCdn(path: string, res: ServerResponse): void {
		let m: RegExpExecArray | null;
		if ((m = /^\/samples\/frame-(\d+)x(\d+)\.png$/.exec(path))) {
			const png = makePng(Number(m[1]), Number(m[2]));
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
			res.end(png);
			return;
		}
		if ((m = /^\/frames\/([^/.]+)\.png$/.exec(path))) {
			const task = this.tasks.get(m[1]);
			if (!task || this.expiresAt(task) === undefined) return sendJson(res, 404, { message: 'Not found' });
			const png = makePng(64, 36);
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
			res.end(png);
			return;
		}
		if ((m = /^\/uploads\/([^/.]+)\.\w+$/.exec(path))) {
			const file = this.uploads.get(m[1]);
			if (!file) return sendJson(res, 404, { message: 'Not found' });
			res.writeHead(200, { 'content-type': file.type, 'content-length': file.size });
			res.end(file.data);
			return;
		}
		if ((m = /^\/(videos|thumbnails|moved)\/([^/.]+)\.(mp4|jpg)$/.exec(path))) {
			const task = this.tasks.get(m[2]);
			if (!task) return sendJson(res, 404, { message: 'Not found' });
			const expiresAt = this.expiresAt(task);
			if (expiresAt === undefined) return sendJson(res, 404, { message: 'Not ready' });
			if (Date.now() > expiresAt) {
				res.writeHead(403, { 'content-type': 'application/xml' });
				res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
				return;
			}
			if (m[1] === 'videos' && task.scenario.cdnRedirect) {
				res.writeHead(302, { location: `/moved/${task.id}.mp4` });
				res.end();
				return;
			}
			if (m[3] === 'jpg') {
				res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': SAMPLE_THUMBNAIL.length });
				res.end(SAMPLE_THUMBNAIL);
				return;
			}
			return this.streamVideo(task, res);
		}
		sendJson(res, 404, { message: 'Not found' });
	}

	/** HTTP control surface for runs in another process (end-to-end tests, demo). */
	private control(path: string, method: string, body: unknown, res: ServerResponse): void {
		const input = (body ?? {}) as Record<string, unknown>;
		if (path.startsWith('/__sim/webhooks')) return this.webhookControl(path, method, input, res);
		if (method === 'POST' && path === '/__sim/tasks') {
			const task = this.createTask(
				(input.flavor as Flavor) ?? 'toapis',
				(input.kind as TaskKind) ?? 'video',
				(input.scenario as Partial<TaskScenario>) ?? {},
				(input.model as string) ?? 'sora-2',
			);
			return sendJson(res, 200, { id: task.id });
		}
		if (method === 'POST' && path === '/__sim/faults') {
			const faults = (Array.isArray(body) ? body : [body]) as Fault[];
			this.inject(...faults.map((f) => ({ ...f, match: f.match && { ...f.match } })));
			return sendJson(res, 200, { ok: true });
		}
		if (method === 'POST' && path === '/__sim/host') {
			this.openAiHost = input.openAiHost === 'new-api' ? 'new-api' : 'openai';
			return sendJson(res, 200, { ok: true, openAiHost: this.openAiHost });
		}
		if (method === 'POST' && path === '/__sim/reset') {
			this.reset();
			return sendJson(res, 200, { ok: true });
		}
		if (method === 'GET' && path === '/__sim/state') {
			return sendJson(res, 200, {
				requests: this.requestsTo('api').map(({ method: m, path: p, status, flavor }) => ({ method: m, path: p, status, flavor })),
				cdnRequests: this.requestsTo('cdn').map(({ method: m, path: p, status }) => ({ method: m, path: p, status })),
				violations: this.violations,
				leaks: this.leaks,
				submissions: this.submissions.length,
				rateLimited: this.rateLimited,
				notAccepted: this.notAccepted,
				tasks: [...this.tasks.values()].map((t) => ({ id: t.id, flavor: t.flavor, kind: t.kind, reads: t.reads, durationMs: t.scenario.durationMs, status: this.state(t).status })),
				submissionBodies: this.submissions.map((x) => JSON.stringify(x.body)),
				videoStreams: this.videoStreams,
			});
		}
		if (method === 'GET' && path === '/__sim/stats') return sendJson(res, 200, this.stats());
		sendJson(res, 404, { message: `No control route ${method} ${path}` });
	}

	/**
	 * Counters and a timeline of the run so far (ms since the epoch), for benchmarks in other processes: what was
	 * submitted and accepted, what was refused with 429, how often each video task was read, when downloads ran.
	 */
	stats() {
		const api = this.requestsTo('api');
		const isSubmit = (r: RecordedRequest) => r.method === 'POST' && (/^\/(openai\/)?v1\/videos(\/generations)?$/.test(r.path) || /\/remix$/.test(r.path));
		const isRead = (r: RecordedRequest) => r.method === 'GET' && /^\/(openai\/)?v1\/(videos|characters_tasks)(\/generations)?\/[^/]+$/.test(r.path);
		const submits = api.filter(isSubmit);
		const accepted = submits.filter((r) => r.status === 200);
		const reads = api.filter(isRead);
		const downloads = this.requestsTo('cdn').filter((r) => r.path.startsWith('/videos/') && r.status === 200);
		const videoTasks = [...this.tasks.values()].filter((t) => t.kind === 'video');
		const polls = videoTasks.map((t) => t.reads);
		const bodies = this.submissions.map((x) => JSON.stringify(x.body));
		const first = (list: RecordedRequest[]) => (list.length ? Math.min(...list.map((r) => r.at)) : null);
		const last = (list: RecordedRequest[], key: 'at' | 'doneAt' = 'at') => (list.length ? Math.max(...list.map((r) => r[key] ?? r.at)) : null);
		return {
			submitRequests: submits.length,
			acceptedSubmissions: accepted.length,
			duplicateSubmissions: bodies.length - new Set(bodies).size,
			rateLimited: { total: this.rateLimited, submit: submits.filter((r) => r.status === 429).length, read: reads.filter((r) => r.status === 429).length },
			statusReads: reads.length,
			pollsPerTask: { max: polls.length ? Math.max(...polls) : 0, mean: polls.length ? polls.reduce((a, b) => a + b, 0) / polls.length : 0 },
			downloads: downloads.length,
			timeline: {
				firstSubmit: first(accepted),
				lastSubmit: last(accepted),
				firstStatusRead: first(reads),
				firstDownload: first(downloads),
				lastDownloadDone: last(downloads, 'doneAt'),
			},
			taskIds: videoTasks.map((t) => t.id),
		};
	}
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SoraSimulator> {
	return await new SoraSimulator(options).start();
}

function defaultAccount() {
	return { remainCredits: 100_000, usedCredits: 0, creditsPerVideo: 20, unlimited: false, tokenMissing: false };
}
