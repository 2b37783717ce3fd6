import { createHash } from 'node:crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
} from 'n8n-workflow';
import { apiRootOf, connectionProblem, type ApiFlavor, type SoraConnection } from './connection';
import { adviceFor, readProviderFailure, redact, redactJson } from './errors';
import { adapterFor, type ApiCall, type FlavorAdapter } from './flavors';
import { Limiter } from '../tasks/pool';
import { isObject } from '../tasks/task';
import { ExecutionCancelled, pause } from '../tasks/wait';
import { pacersForAccount, type AccountPacers } from './pacing';

export const CREDENTIAL_NAME = 'soraApi';

/** Everything a node needs to talk to the provider for one execution. */
export interface SoraClient {
	ctx: IExecuteFunctions;
	connection: SoraConnection;
	adapter: FlavorAdapter;
	/** Values that must never appear in output, errors or logs */
	secrets: string[];
	signal?: AbortSignal;
	/** Per-request timeout for API calls */
	timeoutMs: number;
	/** How many calls of each kind may be in flight at once (the node's Concurrency option) */
	lanes: Record<CallKind, Limiter>;
	/** The provider account's rate limit, shared by every call of a kind to that account in this n8n process */
	pacers: AccountPacers;
	/** 429 answers received, for the batch benchmark */
	rateLimited: number;
}

/**
 * "read" calls are idempotent and retried on 429, 5xx and dropped connections. A "submit" creates paid
 * work: it is repeated only when the provider explicitly refused it (429) or the connection was never
 * made, because any other failure may hide an accepted task.
 */
export type CallKind = 'read' | 'submit';

export interface CallOptions {
	itemIndex: number;
	kind: CallKind;
	timeoutMs?: number;
	/** Epoch ms after which no retry wait is started */
	deadline?: number;
}

export interface ApiResponse {
	body: IDataObject;
	headers: IDataObject;
	statusCode: number;
	attempts: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_ATTEMPTS = 6;
/**
 * A 429 means the provider did not take the request, so waiting it out costs nothing: 429s are retried for this
 * long rather than a number of times (several executions sharing one account, as in queue mode, meet many).
 */
const RATE_LIMIT_PATIENCE_MS = 10 * 60_000;
const MAX_RETRY_WAIT_MS = 60_000;
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ECONNREFUSED',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** Failures where the request provably never reached the server */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

export async function connect(
	ctx: IExecuteFunctions,
	itemIndex = 0,
	timeoutMs = DEFAULT_TIMEOUT_MS,
	concurrency = 5,
): Promise<SoraClient> {
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME, itemIndex);
	const flavor = credentials.apiFlavor as ApiFlavor;
	const baseUrl = String(credentials.baseUrl ?? '');
	const apiKey = String(credentials.apiKey ?? '');
	const problem = connectionProblem(flavor, baseUrl, apiKey);
	if (problem) throw new NodeOperationError(ctx.getNode(), problem, { itemIndex });
	const apiRoot = apiRootOf(flavor, baseUrl);
	const account = createHash('sha256').update(`${flavor}\n${apiRoot}\n${apiKey.trim()}`).digest('hex');
	return {
		ctx,
		connection: { flavor, apiRoot, webhookUrl: String(credentials.webhookUrl ?? '').trim() || undefined },
		adapter: adapterFor(flavor),
		secrets: [apiKey.trim()],
		signal: ctx.getExecutionCancelSignal(),
		timeoutMs,
		lanes: { read: new Limiter(concurrency), submit: new Limiter(concurrency) },
		pacers: pacersForAccount(account),
		rateLimited: 0,
	};
}

function header(headers: IDataObject, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/** How long the provider asked us to back off, from Retry-After or X-RateLimit-Reset. */
export function providerRetryDelayMs(headers: IDataObject, now = Date.now()): number | undefined {
	const retryAfter = header(headers, 'retry-after');
	if (retryAfter !== undefined) {
		if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Math.ceil(parseFloat(retryAfter) * 1000);
		const at = Date.parse(retryAfter);
		if (!Number.isNaN(at)) return Math.max(0, at - now);
	}
	const reset = header(headers, 'x-ratelimit-reset');
	if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
		const value = parseFloat(reset);
		if (value > 1e12) return Math.max(0, value - now); // epoch ms
		if (value > 1e9) return Math.max(0, value * 1000 - now); // epoch s
		return Math.ceil(value * 1000); // seconds from now
	}
	return undefined;
}

function backoffMs(attempt: number): number {
	const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
	return Math.round(base * (0.5 + Math.random() / 2));
}

function networkCode(error: unknown): string {
	const e = error as { code?: unknown; cause?: { code?: unknown; cause?: { code?: unknown } } };
	const code = e?.cause?.code ?? e?.code ?? e?.cause?.cause?.code;
	return typeof code === 'string' ? code : '';
}

function describeUrl(client: SoraClient, call: ApiCall): string {
	return `${call.method} ${client.connection.apiRoot}${call.path}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	if (!text.trim()) return { ok: true, value: {} };
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

/**
 * One attempt of a call: waits for a free lane (shared by every call of this kind in the execution) and the next
 * rate-limit token (shared by every call of this kind to the same account), sends it with the credential, and tells
 * the pacer what the answer said.
 */
async function send(
	client: SoraClient,
	kind: CallKind,
	request: IHttpRequestOptions,
	itemIndex: number,
): Promise<{ response?: IN8nHttpFullResponse; failureCode: string }> {
	const { ctx } = client;
	const pacer = client.pacers[kind];
	return await client.lanes[kind].run(async () => {
		if (!(await pacer.acquire(client.signal))) throw new ExecutionCancelled(ctx.getNode(), itemIndex, kind === 'submit');
		let response: IN8nHttpFullResponse | undefined;
		let failureCode = '';
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_NAME, request)) as IN8nHttpFullResponse;
		} catch (error) {
			failureCode = networkCode(error) || 'ENETWORK';
		}
		const headers = response?.headers as IDataObject | undefined;
		pacer.observe(headers, response?.statusCode === 429 ? (providerRetryDelayMs(headers ?? {}) ?? 1000) : undefined);
		return { response, failureCode };
	});
}

/** The one place every authenticated provider call goes through. */
export async function callApi(client: SoraClient, call: ApiCall, options: CallOptions): Promise<ApiResponse> {
	const { ctx } = client;
	const node = ctx.getNode();
	const { itemIndex, kind } = options;
	const timeoutMs = options.timeoutMs ?? client.timeoutMs;
	const where = describeUrl(client, call);

	/** When the current run of 429s began, and how many attempts failed otherwise */
	let rateLimitedSince: number | undefined;
	let otherFailures = 0;
	for (let attempt = 1; ; attempt++) {
		const request: IHttpRequestOptions = {
			method: call.method,
			url: client.connection.apiRoot + call.path,
			qs: call.qs,
			body: call.body,
			json: true,
			// Parse ourselves: proxies answer with HTML or broken JSON, and we want to say so.
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// n8n re-sends credentials on cross-origin redirects; an API call never needs to follow one.
			disableFollowRedirect: true,
			timeout: timeoutMs,
		};
		const { response, failureCode } = await send(client, kind, request, itemIndex);
		// After a cancel a read is abandoned, but a submit's answer is still read: it may name a task now being paid for.
		if (kind === 'read' && client.signal?.aborted) throw new ExecutionCancelled(node, itemIndex);

		let retryWait: number | undefined;
		let failure: { title: string; advice: string; detail: IDataObject; httpCode?: string } | undefined;
		/** A failed submit that the provider may nevertheless have accepted (and billed) */
		let maybeAccepted = false;

		if (!response) {
			const retryable =
				kind === 'read' ? RETRYABLE_NETWORK_CODES.has(failureCode) : NOT_SENT_CODES.has(failureCode);
			const timedOut = failureCode === 'ECONNABORTED' || failureCode === 'ETIMEDOUT';
			failure = {
				title: timedOut
					? `The Sora API did not answer within ${Math.round(timeoutMs / 1000)} s`
					: `Could not reach the Sora API (${failureCode})`,
				advice:
					kind === 'submit' && !NOT_SENT_CODES.has(failureCode)
						? 'The submission may have reached the provider and may be billed. Check your provider dashboard for a new task before running this item again.'
						: 'Check the base URL in the Sora API credential and your network, then try again.',
				detail: { code: failureCode, request: where, attempts: attempt },
			};
			if (retryable) retryWait = backoffMs(attempt);
			maybeAccepted = kind === 'submit' && !NOT_SENT_CODES.has(failureCode);
		} else {
			const statusCode = response.statusCode;
			const headers = (response.headers ?? {}) as IDataObject;
			const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
			const parsed = parseJson(text);
			if (statusCode >= 200 && statusCode < 300) {
				if (parsed.ok && isObject(parsed.value)) {
					return { body: parsed.value, headers, statusCode, attempts: attempt };
				}
				// A cut-off answer may still name the task it created: never lose that id.
				const namedTask = /"(?:id|task_id)"\s*:\s*"([^"]{3,200})"/.exec(text)?.[1];
				failure = {
					title: `The Sora API answered with something that is not a JSON object${namedTask ? ` (it names task ${namedTask})` : ''}`,
					advice:
						kind === 'submit'
							? namedTask
								? `The submission was probably accepted as task ${namedTask}: read it with Sora Task Status instead of running this item again.`
								: 'The submission may have been accepted and billed. Check your provider dashboard before running this item again, and check the base URL.'
							: 'Check the base URL and API flavor in the Sora API credential.',
					detail: { status: statusCode, request: where, taskId: namedTask ?? null, bodyStart: redact(text.slice(0, 200), client.secrets) },
					httpCode: String(statusCode),
				};
				if (kind === 'read') retryWait = backoffMs(attempt);
				maybeAccepted = kind === 'submit';
			} else if (statusCode >= 300 && statusCode < 400) {
				failure = {
					title: `The Sora API redirected the request (${statusCode})`,
					advice: `Set the base URL in the Sora API credential to where it points: ${redact(header(headers, 'location') ?? '?', client.secrets)}`,
					detail: { status: statusCode, request: where },
					httpCode: String(statusCode),
				};
			} else {
				const provider = readProviderFailure(statusCode, parsed.ok ? parsed.value : undefined, text);
				const { title, advice } = adviceFor(provider);
				const ambiguousSubmit = kind === 'submit' && statusCode >= 500;
				maybeAccepted = ambiguousSubmit;
				failure = {
					title: provider.message ? `${title}: ${provider.message}` : title,
					advice: ambiguousSubmit
						? `${advice} The submission may still have been accepted: check your provider dashboard before running this item again.`
						: advice,
					detail: {
						status: statusCode,
						code: provider.code,
						message: provider.message,
						request: where,
						attempts: attempt,
					},
					httpCode: String(statusCode),
				};
				const retryable = kind === 'read' ? RETRYABLE_STATUS.has(statusCode) : statusCode === 429;
				if (retryable) retryWait = providerRetryDelayMs(headers) ?? backoffMs(attempt);
				if (statusCode === 429) client.rateLimited++;
			}
		}

		const deadlineAllows =
			retryWait !== undefined && (options.deadline === undefined || Date.now() + retryWait < options.deadline);
		const rateLimited = response?.statusCode === 429;
		if (rateLimited) {
			rateLimitedSince ??= Date.now();
		} else {
			rateLimitedSince = undefined;
			otherFailures++;
		}
		const triesLeft = rateLimited ? Date.now() - rateLimitedSince! < RATE_LIMIT_PATIENCE_MS : otherFailures < MAX_ATTEMPTS;
		if (retryWait !== undefined && triesLeft && deadlineAllows) {
			if (!(await pause(Math.min(retryWait, MAX_RETRY_WAIT_MS), client.signal))) {
				throw new ExecutionCancelled(node, itemIndex);
			}
			continue;
		}

		const attemptsNote = attempt > 1 ? ` (after ${attempt} attempts)` : '';
		const error = new NodeApiError(node, redactJson(failure!.detail, client.secrets), {
			message: redact(failure!.title + attemptsNote, client.secrets),
			description: redact(failure!.advice, client.secrets),
			httpCode: failure!.httpCode,
			itemIndex,
		});
		if (maybeAccepted) error.context.submissionMayHaveBeenAccepted = true;
		throw error;
	}
}

/** Whether an error from callApi says a submit may have gone through despite failing. */
export function mayHaveBeenAccepted(error: unknown): boolean {
	return (error as { context?: IDataObject })?.context?.submissionMayHaveBeenAccepted === true;
}

