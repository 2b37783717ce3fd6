import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { CREDENTIAL_NAME, type ApiFlavor } from '../domain/api';
import { isFinished, type SoraTask } from '../domain/task';
import { adapterFor } from '../provider/flavors';
import { connect, type SoraClient } from '../provider/transport';
import {
	answer,
	checkEvent,
	EVENT_TYPES,
	signingSecret,
	type ToapisEvent,
} from '../provider/webhookEvents';
import { failedTaskError } from './follow';
import {
	errorItemJson,
	errorOutputJson,
	errorOutputTakesDetails,
	toOutputItems,
	type ItemResult,
} from './outcomes';
import { pollTask, type Waiting } from './polling';

/**
 * Sora Generate's "Until Toapis Calls Back": after the submits the execution is parked in n8n's database
 * (putExecutionToWait, as n8n's Wait node does "On Webhook Call") and every task is submitted with the execution's
 * resume URL as its callback_url. Nothing runs while the videos render. Each signed callback reaches webhook() on
 * n8n's main process; the one that finds every task of the execution ended resumes it, with one item per input item.
 *
 * What n8n gives a parked node (docs/architecture.md#callback-wait):
 * - On resume n8n does not run execute() again: the node's output is what webhook() returns, passed through. So the
 *   video is downloaded by a Sora Task Status after the node, in the resumed execution, not here.
 * - webhook() sees the items the node left on the execution stack before parking, and nothing a callback writes is
 *   kept. The items are therefore the record of what the execution waits for (task ids per item), and which tasks
 *   have ended is kept in this process; a process started after the parking has missed callbacks and reads the
 *   status of the tasks it has not heard from.
 * - At Max Wait n8n resumes the execution itself and passes the stack items through: so they already carry the
 *   error that names each task that never called back, with its id.
 */

/** The field each parked item carries: what webhook() needs to find its task and route its outcome. */
const MARK = 'callbackWait';

interface ParkMark extends IDataObject {
	/** The item waits for its task's callback (else its outcome was known before parking) */
	awaiting: boolean;
	/** A task that ends failed goes to the error output (the option, and the node has an error output) */
	failedToErrorOutput: boolean;
	/** n8n 2.x takes a failed item's task under `details` */
	takesDetails: boolean;
	/** When the execution was parked (epoch ms) */
	parkedAt: number;
	/** When n8n resumes it anyway (ISO) */
	until: string;
}

/** When this n8n process loaded the node: a process started after a parking has missed that execution's callbacks. */
const PROCESS_STARTED_AT = Date.now();

/** The execution's resume URL, as n8n's Wait node gives it to other services ($execution.resumeUrl). */
function resumeUrlOf(ctx: IExecuteFunctions): string {
	return String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? '');
}

/**
 * The callback URL every task of this execution carries, checked before anything is paid: toapis refuses a
 * callback_url that is not on the origin of the token's webhook URL, and a callback this node cannot verify
 * would never resume the execution.
 */
export function callbackUrlFor(ctx: IExecuteFunctions, client: SoraClient): string {
	const node = ctx.getNode();
	const fail = (message: string, description: string) =>
		new NodeOperationError(node, message, { description });
	const credential = client.credential.credentialsDecrypted?.data ?? {};
	const resumeUrl = resumeUrlOf(ctx);
	if (!String(credential.webhookSecret ?? '').trim()) {
		throw fail(
			'"Until Toapis Calls Back" needs the Webhook Signing Secret in the Sora API credential',
			"Copy the signing secret shown next to the webhook URL in the toapis console into the credential, so the node can tell toapis' callbacks from forged ones.",
		);
	}
	const webhookUrl = client.connection.webhookUrl;
	if (!webhookUrl) {
		throw fail(
			'"Until Toapis Calls Back" needs the Webhook URL in the Sora API credential',
			`Set a webhook URL for your token in the toapis console on this n8n's public address (${originOf(resumeUrl) ?? resumeUrl}) and enter the same URL as Webhook URL in the credential.`,
		);
	}
	const resumeOrigin = originOf(resumeUrl);
	const webhookOrigin = originOf(webhookUrl);
	if (!resumeOrigin || resumeOrigin !== webhookOrigin) {
		throw fail(
			`n8n's resume URL ${resumeUrl.split('?')[0]} is not on the origin of the credential's Webhook URL (${webhookOrigin ?? webhookUrl})`,
			`toapis only calls back URLs on the scheme, host and port of the token's webhook URL. Set n8n's WEBHOOK_URL to the public address toapis reaches (${webhookOrigin ?? webhookUrl}), or set the token's webhook URL in the toapis console (and the credential's Webhook URL) to n8n's address (${resumeOrigin ?? resumeUrl}).`,
		);
	}
	return resumeUrl;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** A task this execution submitted and now waits for. */
export interface AwaitedTask {
	itemIndex: number;
	task: SoraTask;
}

/**
 * Parks the execution until its tasks call back (toapis) or for the Poll Interval (hosts without callbacks, whose
 * tasks then come out for Sora Task Status). The items the node outputs while parked, and those it leaves on the
 * stack, carry every submitted task's id: a crash of the worker or of n8n loses none of them.
 */
export async function parkExecution(
	ctx: IExecuteFunctions,
	results: ItemResult[],
	awaited: AwaitedTask[],
	waiting: Waiting,
	flavor: ApiFlavor,
	continueOnFail: boolean,
	failedToErrorOutput: boolean,
): Promise<INodeExecutionData[]> {
	const known = toOutputItems(ctx, results, continueOnFail);
	if (!awaited.length) return known;
	const now = Date.now();
	const callsBack = flavor === 'toapis';
	const until = new Date(now + (callsBack ? waiting.maxWaitMs : waiting.intervalMs));
	const hasErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	const takesDetails = errorOutputTakesDetails(ctx);
	const awaitedTasks = new Map(awaited.map(({ itemIndex, task }) => [itemIndex, task]));
	// Shown while parked, and kept on the stack; an awaited item's result is its task as submitted (in `results`).
	const shown: INodeExecutionData[] = [];
	const kept: INodeExecutionData[] = [];
	known.forEach((item, itemIndex) => {
		const task = awaitedTasks.get(itemIndex);
		const mark: ParkMark | undefined = callsBack
			? {
					awaiting: task !== undefined,
					failedToErrorOutput: failedToErrorOutput && hasErrorOutput,
					takesDetails,
					parkedAt: now,
					until: until.toISOString(),
				}
			: undefined;
		shown.push({ ...item, json: mark ? { ...item.json, [MARK]: mark } : { ...item.json } });
		// Kept: what n8n passes through at Max Wait, where a task that never called back is an error like a poll that
		// timed out, shaped for the error output when the node has one (n8n routes a passed-through item there too).
		let json: IDataObject = { ...item.json };
		if (mark && task) {
			const result = { json, error: noCallbackError(ctx, itemIndex, task, waiting.maxWaitMs) };
			json = hasErrorOutput ? errorOutputJson(result, takesDetails) : errorItemJson(result);
		}
		kept.push({ ...item, json: mark ? withMark(json, { ...mark }) : json });
	});
	// What n8n passes through if it resumes the execution at Max Wait, and what webhook() reads in every callback.
	const stack = ctx.getExecuteData().data;
	stack.main = [kept];
	await ctx.putExecutionToWait(until);
	return shown;
}

/** The error a task that never called back comes out with at Max Wait. */
function noCallbackError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	task: SoraTask,
	maxWaitMs: number,
): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`toapis did not call back for task ${task.id} within Max Wait (${Math.round(maxWaitMs / 1000)} s)`,
		{
			itemIndex,
			description: `The task may still be running, or its callback never reached n8n (webhooks disabled for the token, a wrong Webhook Signing Secret, n8n unreachable from toapis). Nothing is lost: read it with Sora Task Status, task ID "${task.id}".`,
		},
	);
}

/**
 * Where a kept item carries its mark. n8n routes an item to the error output only when its JSON holds nothing but
 * `error`, `message` and `details` (1.x: `error` alone), so an item shaped for it keeps the mark inside (2.x
 * `details`, 1.x `error.details`) and stays routable; any other item carries it at the top.
 */
function withMark(json: IDataObject, mark: ParkMark): IDataObject {
	const keys = Object.keys(json);
	const error = json.error as IDataObject | undefined;
	if (error && keys.every((key) => ['error', 'message', 'details'].includes(key))) {
		if (keys.length === 1 && !mark.takesDetails)
			return { error: { ...error, details: { ...(error.details as IDataObject), [MARK]: mark } } };
		return { ...json, details: { ...(json.details as IDataObject), [MARK]: mark } };
	}
	return { ...json, [MARK]: mark };
}

/**
 * A kept item as the node had it before parking, and its mark: what webhook() reads. An awaited item comes back as
 * its task (without the Max Wait error it carried in case no callback came).
 */
function unpark(item: INodeExecutionData): { json: IDataObject; mark?: ParkMark } {
	const json = item.json ?? {};
	const error = json.error as IDataObject | undefined;
	const holders: Array<[IDataObject | undefined, (inner: IDataObject) => IDataObject]> = [
		[json, (inner) => inner],
		[json.details as IDataObject | undefined, (inner) => withInner(json, 'details', inner)],
		[
			error?.details as IDataObject | undefined,
			(inner) => ({ ...json, error: withInner(error!, 'details', inner) }),
		],
	];
	for (const [holder, rebuild] of holders) {
		const mark = holder?.[MARK];
		if (!mark || typeof mark !== 'object') continue;
		const inner = withoutKeys(holder, MARK);
		if (!(mark as ParkMark).awaiting) return { json: rebuild(inner), mark: mark as ParkMark };
		// An awaited item: its task is the JSON at the top, or under the error-output shape's details.
		return { json: holder === json ? withoutKeys(inner, 'error') : inner, mark: mark as ParkMark };
	}
	return { json };
}

/** `json` with `key` set to `inner`, or without `key` when `inner` is empty (the mark was all it held). */
function withInner(json: IDataObject, key: string, inner: IDataObject): IDataObject {
	return Object.keys(inner).length ? { ...json, [key]: inner } : withoutKeys(json, key);
}

/** Which tasks of each parked execution have ended, as this process heard (or read) them. */
interface ExecutionState {
	ended: Map<string, SoraTask>;
	/**
	 * The one read this process makes of a task it has not heard from (in flight or done). A task the read shows
	 * still running calls back later, to this process, so after a restart each task is read at most once, however
	 * many callbacks arrive together.
	 */
	reads: Map<string, Promise<void>>;
	/** A callback returned the resume: later ones within this time are answered as duplicates */
	resumingAt?: number;
	until: number;
}
const stateByExecution = new Map<string, ExecutionState>();
/** If a resume did not take (n8n refused to start it), a later callback may try again after this long */
const RESUME_RETRY_MS = 30_000;

function stateOf(key: string, until: number): ExecutionState {
	const now = Date.now();
	for (const [k, state] of stateByExecution) if (state.until < now) stateByExecution.delete(k);
	let state = stateByExecution.get(key);
	if (!state) {
		state = { ended: new Map(), reads: new Map(), until: Math.max(until, now) + 3600_000 };
		stateByExecution.set(key, state);
	}
	return state;
}

/**
 * The credential, read from n8n's database once per process and credential rather than per callback: the N
 * callbacks of a batch arrive together, and a read (database and decryption) took 170–300 ms of main's time in a real
 * n8n, most of a callback's cost. A secret toapis rotated still verifies for 24 h (toapis signs with the old and the
 * new one), and a signature that matches nothing makes the caller read the credential again (`fresh`), so a changed
 * credential is picked up at its first callback.
 */
const credentialCache = new Map<string, { at: number; data: Promise<IDataObject> }>();
const CREDENTIAL_KEPT_MS = 3600_000;

async function credentialOf(
	ctx: IWebhookFunctions,
	fresh = false,
): Promise<{ data: IDataObject; cached: boolean }> {
	const id = ctx.getNode().credentials?.[CREDENTIAL_NAME]?.id ?? '';
	const now = Date.now();
	const cached = credentialCache.get(id);
	if (id && cached && !fresh && now - cached.at < CREDENTIAL_KEPT_MS)
		return { data: await cached.data, cached: true };
	const data = ctx.getCredentials(CREDENTIAL_NAME) as Promise<IDataObject>;
	if (id) {
		credentialCache.set(id, { at: now, data });
		// A failed read is not kept: the next callback reads again.
		data.catch(() => credentialCache.delete(id));
	}
	return { data: await data, cached: false };
}

/** The callback's signed event, checked with the credential's signing secret (read again once if it may be stale). */
async function verifiedCallback(
	ctx: IWebhookFunctions,
): Promise<ToapisEvent | IWebhookResponseData> {
	let credential = await credentialOf(ctx);
	for (;;) {
		const secret = signingSecret(ctx, credential.data, 'Sora Generate');
		if (typeof secret !== 'string') return secret;
		const checked = checkEvent(ctx, secret);
		if (!('status' in checked)) return checked;
		if (credential.cached && checked.body.error === 'invalid_signature') {
			credential = await credentialOf(ctx, true);
			continue;
		}
		ctx.logger.warn(`Sora Generate refused a callback: ${checked.body.message}`, {
			executionId: ctx.getExecutionId(),
		});
		return answer(ctx, checked.status, checked.body);
	}
}

/** The items the node left on the stack when it parked (webhook() sees them as its input). */
function parkedItems(ctx: IWebhookFunctions): INodeExecutionData[] {
	// IWebhookFunctions does not type evaluateExpression, but n8n's webhook context has it (n8n's Form node reads
	// its input the same way).
	const evaluate = (ctx as unknown as { evaluateExpression(e: string, i?: number): unknown })
		.evaluateExpression;
	const items = evaluate.call(ctx, '{{ $input.all() }}', 0);
	return Array.isArray(items) ? (JSON.parse(JSON.stringify(items)) as INodeExecutionData[]) : [];
}

/**
 * One callback for a parked execution: verified like the Sora Trigger verifies events (a forged, stale or unsigned
 * one is refused and resumes nothing), recorded, and answered at once. The callback that finds every task ended
 * resumes the execution with the tasks' outcomes.
 */
export async function receiveCallback(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const event = await verifiedCallback(ctx);
	if (!('type' in event)) return event;
	if (!(event.type in EVENT_TYPES))
		return answer(ctx, 200, { received: true, ignored: event.type });

	const parked = parkedItems(ctx).map(unpark);
	const first = parked.find(({ mark }) => mark !== undefined)?.mark;
	const task = adapterFor('toapis').normalizeTask(event.data as IDataObject, 'video');
	const awaitedIds = parked.filter(({ mark }) => mark?.awaiting).map(({ json }) => String(json.id));
	if (!first || !awaitedIds.includes(task.id)) {
		// Signed by toapis, but for no task this execution waits for: acknowledged, or toapis retries it for a day.
		return answer(ctx, 200, { received: true, ignored: 'not a task this execution waits for' });
	}
	const state = stateOf(`${ctx.getExecutionId()}:${ctx.getNode().id}`, Date.parse(first.until));
	state.ended.set(task.id, task);
	if (state.resumingAt && Date.now() - state.resumingAt < RESUME_RETRY_MS) {
		return answer(ctx, 200, { received: true, duplicate: true });
	}
	const unheard = () => awaitedIds.filter((id) => !state.ended.has(id));
	if (unheard().length && PROCESS_STARTED_AT > first.parkedAt) {
		// This process started after the parking: callbacks answered before it may never come again.
		await readUnheard(ctx, unheard(), state);
	}
	if (state.resumingAt && Date.now() - state.resumingAt < RESUME_RETRY_MS) {
		return answer(ctx, 200, { received: true, duplicate: true });
	}
	const waitingFor = unheard().length;
	if (waitingFor) return answer(ctx, 200, { received: true, waitingFor });
	state.resumingAt = Date.now();
	return { workflowData: resumedOutput(ctx, parked, state) };
}

/** Reads the tasks this process has not heard from (each once): finished ones count as called back. */
async function readUnheard(
	ctx: IWebhookFunctions,
	ids: string[],
	state: ExecutionState,
): Promise<void> {
	let client: Promise<SoraClient> | undefined;
	const readOne = async (id: string) => {
		client ??= connect(ctx);
		const outcome = await pollTask(await client, {
			itemIndex: 0,
			id,
			kind: 'video',
			intervalMs: 0,
			maxWaitMs: 0,
		});
		if (outcome.state !== 'finished' && outcome.state !== 'unfinished') {
			state.reads.delete(id); // not known: a later callback reads it again
			return;
		}
		if (isFinished(outcome.task)) state.ended.set(id, outcome.task);
	};
	await Promise.all(
		ids.map(async (id) => {
			let read = state.reads.get(id);
			if (!read) {
				// A credential that cannot be read now leaves the task to the next callback, or to Max Wait.
				read = readOne(id).catch(() => void state.reads.delete(id));
				state.reads.set(id, read);
			}
			await read;
		}),
	);
}

/**
 * One item per input item, in order, each paired with its input: the task's outcome, or what was known before. Items
 * for the error output are shaped as execute() shapes them; n8n moves them there (its error-output routing also runs
 * for a resumed node).
 */
function resumedOutput(
	ctx: IWebhookFunctions,
	parked: Array<{ json: IDataObject; mark?: ParkMark }>,
	state: ExecutionState,
): INodeExecutionData[][] {
	return [
		parked.map(({ json: known, mark }, itemIndex) => {
			if (!mark?.awaiting) return { json: known, pairedItem: { item: itemIndex } };
			const task = state.ended.get(String(known.id))!;
			let json: IDataObject = { ...known, ...task };
			if (task.status === 'failed' && mark.failedToErrorOutput) {
				const failedTask = failedTaskError(ctx.getNode(), itemIndex, task);
				json = errorOutputJson({ json, failedTask }, mark.takesDetails);
			}
			return { json, pairedItem: { item: itemIndex } };
		}),
	];
}

function withoutKeys(json: IDataObject, ...keys: string[]): IDataObject {
	return Object.fromEntries(Object.entries(json).filter(([key]) => !keys.includes(key)));
}
