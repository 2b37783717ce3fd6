import { createHash } from 'node:crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IAdditionalCredentialOptions,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { CREDENTIAL_NAME, type ApiFlavor } from '../domain/api';
import { isObject } from '../util/json';
import { Limiter } from '../util/limiter';
import { ExecutionCancelled, pause } from '../util/wait';
import { apiRootOf, connectionProblem, type SoraConnection } from './connection';
import { adviceFor, notAccepted, readProviderFailure, redact, redactJson } from './errors';
import { adapterFor, type ApiCall, type FlavorAdapter } from './flavors';
import { pacersForAccount, resetDelayMs, type AccountPacers } from './pacing';

export type RequestContext = IExecuteFunctions | IWebhookFunctions;

/** What stops an execution's waits and retries: none in webhook(), which n8n cannot cancel. */
function cancelSignalOf(ctx: RequestContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/** Everything a node needs to talk to the provider for one execution. */
export interface SoraClient {
	/** A node's execute() context, or the webhook() context that receives callbacks for a parked execution */
	ctx: RequestContext;
	connection: SoraConnection;
	adapter: FlavorAdapter;
	/** Values that must never appear in output, errors or logs */
	secrets: string[];
	/**
	 * The credential, read once: without it n8n reads it from its database for every request, and a database that
	 * is restarting would fail calls whose tasks are already paid for.
	 */
	credential: IAdditionalCredentialOptions;
	signal?: AbortSignal;
	/** Per-request timeout for API calls */
	timeoutMs: number;
	/** How many calls of each kind may be in flight at once (the node's Concurrency option) */
	lanes: Record<CallKind, Limiter>;
	/** The provider account's rate limit, shared by every call of a kind to that account in this n8n process */
	pacers: AccountPacers;
	/** Answers that refused a call without taking it (429, a limiter's 503), for the batch benchmark */
	rateLimited: number;
}

/**
 * "read" calls are idempotent and retried on 429, 5xx and dropped connections. A "submit" creates paid
 * work: it is repeated only when the provider explicitly said it did not take it (429, or a 503 from its limiter:
 * errors.ts notAccepted) or the connection was never made, because any other failure may hide an accepted task.
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
/**
 * Failures where the request provably never reached the server. ENOTSENT is ours: an error raised before the HTTP
 * client had the request (n8n could not prepare it, e.g. its database was restarting).
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTSENT']);
const CREDENTIAL_ATTEMPTS = 4;

/**
 * The credential from n8n's database. A database restart must not fail the batch: errors other than n8n's own
 * refusals (no credential set, unusable credential) are retried a few times; nothing has been sent yet.
 */
async function readCredential(
	ctx: RequestContext,
	itemIndex: number,
): Promise<ICredentialDataDecryptedObject> {
	let failure: unknown;
	for (let attempt = 1; attempt <= CREDENTIAL_ATTEMPTS; attempt++) {
		try {
			return await ctx.getCredentials(CREDENTIAL_NAME, itemIndex);
		} catch (error) {
			failure = error;
		}
		if (failure instanceof NodeOperationError || failure instanceof NodeApiError) throw failure;
		if (attempt === CREDENTIAL_ATTEMPTS) break;
		if (!(await pause(backoffMs(attempt), cancelSignalOf(ctx)))) break;
	}
	throw new NodeOperationError(ctx.getNode(), failure as Error, {
		itemIndex,
		description:
			'n8n could not read the Sora API credential (its database may be restarting). Nothing was sent: run the workflow again.',
	});
}

export async function connect(
	ctx: RequestContext,
	itemIndex = 0,
	timeoutMs = DEFAULT_TIMEOUT_MS,
	concurrency = 5,
): Promise<SoraClient> {
	const credentials = await readCredential(ctx, itemIndex);
	const flavor = credentials.apiFlavor as ApiFlavor;
	const baseUrl = String(credentials.baseUrl ?? '');
	const apiKey = String(credentials.apiKey ?? '');
	const problem = connectionProblem(flavor, baseUrl, apiKey);
	if (problem) throw new NodeOperationError(ctx.getNode(), problem, { itemIndex });
	const apiRoot = apiRootOf(flavor, baseUrl);
	const account = createHash('sha256')
		.update(`${flavor}\n${apiRoot}\n${apiKey.trim()}`)
		.digest('hex');
	return {
		ctx,
		connection: {
			flavor,
			apiRoot,
			webhookUrl: String(credentials.webhookUrl ?? '').trim() || undefined,
		},
		adapter: adapterFor(flavor),
		secrets: [apiKey.trim()],
		credential: {
			credentialsDecrypted: {
				id: ctx.getNode().credentials?.[CREDENTIAL_NAME]?.id ?? '',
				name: ctx.getNode().credentials?.[CREDENTIAL_NAME]?.name ?? CREDENTIAL_NAME,
				type: CREDENTIAL_NAME,
				data: credentials,
			},
		},
		signal: cancelSignalOf(ctx),
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
	if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim()))
		return Math.ceil(resetDelayMs(parseFloat(reset), now));
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

/**
 * Why a request got no answer: the network's error code, or ENOTSENT when the error did not come from the HTTP
 * client at all (n8n wraps both kinds alike; only the client's errors carry the request's config).
 */
function failureCodeOf(error: unknown): string {
	const cause = (error as { cause?: unknown }).cause ?? error;
	const fromHttpClient =
		isObject(cause) && (cause.isAxiosError === true || 'config' in cause || 'request' in cause);
	if (!fromHttpClient) return 'ENOTSENT';
	return networkCode(error) || 'ENETWORK';
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
		if (!(await pacer.acquire(client.signal)))
			throw new ExecutionCancelled(ctx.getNode(), itemIndex, kind === 'submit');
		const sentAt = Date.now();
		let response: IN8nHttpFullResponse | undefined;
		let failureCode = '';
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				CREDENTIAL_NAME,
				request,
				client.credential,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			failureCode = failureCodeOf(error);
		}
		const headers = response?.headers as IDataObject | undefined;
		const rateLimitedForMs =
			response?.statusCode === 429 ? (providerRetryDelayMs(headers ?? {}) ?? 1000) : undefined;
		pacer.observe(headers, rateLimitedForMs, Date.now(), sentAt);
		return { response, failureCode };
	});
}

/** One attempt of a call, as the functions that judge its outcome need it */
interface Attempt {
	client: SoraClient;
	kind: CallKind;
	/** "METHOD url", for error details */
	where: string;
	attempt: number;
	timeoutMs: number;
}

/** Why an attempt failed, whether it may be repeated, and whether the provider may have taken it anyway */
interface AttemptFailure {
	title: string;
	advice: string;
	detail: IDataObject;
	httpCode?: string;
	/** How long to wait before repeating it; undefined when it must not be repeated */
	retryWait?: number;
	/** A failed submit that the provider may nevertheless have accepted (and billed) */
	maybeAccepted: boolean;
	/** The provider said it did not take the request (429, a limiter's 503): waited out like a 429 */
	notAccepted?: boolean;
}

/** No answer at all: a read is repeated after network errors, a submit only when it provably never left. */
function unanswered(
	{ kind, where, attempt, timeoutMs }: Attempt,
	failureCode: string,
): AttemptFailure {
	const neverSent = NOT_SENT_CODES.has(failureCode);
	const timedOut = failureCode === 'ECONNABORTED' || failureCode === 'ETIMEDOUT';
	const retryable = kind === 'read' ? RETRYABLE_NETWORK_CODES.has(failureCode) : neverSent;
	return {
		title: timedOut
			? `The Sora API did not answer within ${Math.round(timeoutMs / 1000)} s`
			: `Could not reach the Sora API (${failureCode})`,
		advice:
			kind === 'submit' && !neverSent
				? 'The submission may have reached the provider and may be billed. Check your provider dashboard for a new task before running this item again.'
				: 'Check the base URL in the Sora API credential and your network, then try again.',
		detail: { code: failureCode, request: where, attempts: attempt },
		retryWait: retryable ? backoffMs(attempt) : undefined,
		maybeAccepted: kind === 'submit' && !neverSent,
	};
}

/** A 2xx whose body is not a JSON object: a cut-off answer may still name the task it created, never lose that id. */
function unreadableSuccess(
	{ client, kind, where, attempt }: Attempt,
	statusCode: number,
	text: string,
): AttemptFailure {
	const namedTask = /"(?:id|task_id)"\s*:\s*"([^"]{3,200})"/.exec(text)?.[1];
	return {
		title: `The Sora API answered with something that is not a JSON object${namedTask ? ` (it names task ${namedTask})` : ''}`,
		advice:
			kind === 'submit'
				? namedTask
					? `The submission was probably accepted as task ${namedTask}: read it with Sora Task Status instead of running this item again.`
					: 'The submission may have been accepted and billed. Check your provider dashboard before running this item again, and check the base URL.'
				: 'Check the base URL and API flavor in the Sora API credential.',
		detail: {
			status: statusCode,
			request: where,
			taskId: namedTask ?? null,
			bodyStart: redact(text.slice(0, 200), client.secrets),
		},
		httpCode: String(statusCode),
		retryWait: kind === 'read' ? backoffMs(attempt) : undefined,
		maybeAccepted: kind === 'submit',
	};
}

/** A 3xx: API calls never follow redirects (n8n would re-send the credential), the base URL must be corrected. */
function redirected(
	{ client, where }: Attempt,
	statusCode: number,
	headers: IDataObject,
): AttemptFailure {
	return {
		title: `The Sora API redirected the request (${statusCode})`,
		advice: `Set the base URL in the Sora API credential to where it points: ${redact(header(headers, 'location') ?? '?', client.secrets)}`,
		detail: { status: statusCode, request: where },
		httpCode: String(statusCode),
		maybeAccepted: false,
	};
}

/**
 * A 4xx or 5xx: the provider's own reason and advice a user can act on. Reads are repeated on 429/5xx, submits only
 * when the provider said it did not take them (429, a limiter's 503); a submit answered with another 5xx may have
 * been taken.
 */
function refused(
	a: Attempt,
	statusCode: number,
	headers: IDataObject,
	body: unknown,
	text: string,
): AttemptFailure {
	const provider = readProviderFailure(statusCode, body, text);
	const { title, advice } = adviceFor(provider);
	const notTaken = notAccepted(provider);
	const ambiguousSubmit = a.kind === 'submit' && statusCode >= 500 && !notTaken;
	const retryable = a.kind === 'read' ? RETRYABLE_STATUS.has(statusCode) : notTaken;
	if (notTaken) a.client.rateLimited++;
	return {
		title: provider.message ? `${title}: ${provider.message}` : title,
		advice: ambiguousSubmit
			? `${advice} The submission may still have been accepted: check your provider dashboard before running this item again.`
			: advice,
		detail: {
			status: statusCode,
			code: provider.code,
			message: provider.message,
			request: a.where,
			attempts: a.attempt,
		},
		httpCode: String(statusCode),
		retryWait: retryable ? (providerRetryDelayMs(headers) ?? backoffMs(a.attempt)) : undefined,
		maybeAccepted: ambiguousSubmit,
		notAccepted: notTaken,
	};
}

/** What an answer means: the parsed body of a success, or why the attempt failed. */
function judge(a: Attempt, response: IN8nHttpFullResponse): ApiResponse | AttemptFailure {
	const { statusCode } = response;
	const headers = (response.headers ?? {}) as IDataObject;
	const text =
		typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
	const parsed = parseJson(text);
	if (statusCode >= 200 && statusCode < 300) {
		if (parsed.ok && isObject(parsed.value))
			return { body: parsed.value, headers, statusCode, attempts: a.attempt };
		return unreadableSuccess(a, statusCode, text);
	}
	if (statusCode >= 300 && statusCode < 400) return redirected(a, statusCode, headers);
	return refused(a, statusCode, headers, parsed.ok ? parsed.value : undefined, text);
}

function failureError(a: Attempt, failure: AttemptFailure, itemIndex: number): NodeApiError {
	const { client } = a;
	const attemptsNote = a.attempt > 1 ? ` (after ${a.attempt} attempts)` : '';
	const error = new NodeApiError(client.ctx.getNode(), redactJson(failure.detail, client.secrets), {
		message: redact(failure.title + attemptsNote, client.secrets),
		description: redact(failure.advice, client.secrets),
		httpCode: failure.httpCode,
		itemIndex,
	});
	if (failure.maybeAccepted) error.context.submissionMayHaveBeenAccepted = true;
	return error;
}

/**
 * The one place every authenticated provider call goes through: sends it, judges the answer, and repeats what is
 * safe to repeat — a 429 or a limiter's 503 for up to RATE_LIMIT_PATIENCE_MS (neither is ever paid), other failures
 * up to MAX_ATTEMPTS times — within the caller's deadline.
 */
export async function callApi(
	client: SoraClient,
	call: ApiCall,
	options: CallOptions,
): Promise<ApiResponse> {
	const node = client.ctx.getNode();
	const { itemIndex, kind } = options;
	const timeoutMs = options.timeoutMs ?? client.timeoutMs;
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

	/** When the current run of 429s began, and how many attempts failed otherwise */
	let rateLimitedSince: number | undefined;
	let otherFailures = 0;
	for (let attempt = 1; ; attempt++) {
		const { response, failureCode } = await send(client, kind, { ...request }, itemIndex);
		// After a cancel a read is abandoned, but a submit's answer is still read: it may name a task now being paid for.
		if (kind === 'read' && client.signal?.aborted) throw new ExecutionCancelled(node, itemIndex);

		const a: Attempt = { client, kind, where: describeUrl(client, call), attempt, timeoutMs };
		const outcome = response ? judge(a, response) : unanswered(a, failureCode);
		if (!('title' in outcome)) return outcome;

		if (outcome.notAccepted) {
			rateLimitedSince ??= Date.now();
		} else {
			rateLimitedSince = undefined;
			otherFailures++;
		}
		const triesLeft =
			rateLimitedSince !== undefined
				? Date.now() - rateLimitedSince < RATE_LIMIT_PATIENCE_MS
				: otherFailures < MAX_ATTEMPTS;
		const wait = outcome.retryWait;
		const deadlineAllows =
			wait !== undefined &&
			(options.deadline === undefined || Date.now() + wait < options.deadline);
		if (wait === undefined || !triesLeft || !deadlineAllows)
			throw failureError(a, outcome, itemIndex);
		if (!(await pause(Math.min(wait, MAX_RETRY_WAIT_MS), client.signal)))
			throw new ExecutionCancelled(node, itemIndex);
	}
}

/** Whether an error from callApi says a submit may have gone through despite failing. */
export function mayHaveBeenAccepted(error: unknown): boolean {
	return (error as { context?: IDataObject })?.context?.submissionMayHaveBeenAccepted === true;
}
