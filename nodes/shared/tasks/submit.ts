import { createHash } from 'crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
} from 'n8n-workflow';
import type { SoraTask, TaskKind } from '../domain/task';
import type { ApiCall } from '../provider/flavors';
import {
	callApi,
	mayHaveBeenAccepted,
	type RequestContext,
	type SoraClient,
} from '../provider/transport';
import { pause } from '../util/wait';

/** A file to upload before the create call: free and safe to repeat, so retried like a read. */
export interface Upload {
	what: 'image' | 'video';
	call(): ApiCall;
}

/** One item's paid request, as an operation plans it: optional free uploads, then the create call. */
export interface Submission {
	kind: TaskKind;
	/** The validated request: what makes a submission the same as an earlier attempt's */
	request: unknown;
	/** Files to upload first, one after the other; their URLs, in the same order, go into the create call */
	uploads?: Upload[];
	create(uploadedUrls: string[]): ApiCall;
	/** The create call answers with the whole task (video generation); otherwise only with its id, and it is read once */
	answerIsTask: boolean;
	/**
	 * The business id the create call carries, where the provider can find a task by it (toapis
	 * client_business_id): a submit whose answer was lost is then looked up instead of being given up on.
	 */
	businessId?: {
		value: string;
		givenByUser: boolean;
		/** A task the id already names (an earlier run's) is followed instead of submitting, unless it failed */
		reuseExisting?: boolean;
	};
}

export interface Submitted {
	id: string;
	/** The task as the provider showed it, where that is the whole task */
	task?: SoraTask;
	/** An earlier attempt of this execution created the task (n8n's Retry On Fail): nothing was sent now */
	reused: boolean;
}

/**
 * When the node makes the business id: `n8n-<workflow>-<start>-<node>-<request>-r<run>-i<item>`, under 64 characters.
 *
 * <start> is when n8n established this execution (getExecutionContext().establishedAt, n8n 2.x, in base 36), not its
 * execution id: n8n's Retry of a failed execution runs under a new execution id but copies the original's saved
 * data, runtime data included, so a retried node makes the same ids and finds (by business id) the tasks the first
 * run paid for. A new run of the workflow is established anew and gets new ids. Where n8n has no execution context
 * (1.x) the execution id stands in, and a Retry gets new ids. <request> is a short digest of the request, so two
 * executions established in the same millisecond never share an id unless they ask for the same video.
 */
export function defaultBusinessId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request?: unknown,
): string | undefined {
	const establishedAt = executionStart(ctx);
	const executionId = ctx.getExecutionId?.();
	const start = establishedAt !== undefined ? establishedAt.toString(36) : executionId;
	if (!start) return undefined;
	const runIndex = ctx.getWorkflowDataProxy(itemIndex).$runIndex as number;
	const node = ctx.getNode();
	const nodeId = (node.id ?? node.name).replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
	const workflowId = (ctx.getWorkflow().id ?? 'wf').replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
	const digest = digestOf(request ?? null).slice(0, 8);
	return `n8n-${workflowId}-${start.slice(0, 16)}-${nodeId}-${digest}-r${runIndex}-i${itemIndex}`;
}

/** When n8n established this execution (kept by n8n's Retry), where n8n says so (2.x). */
function executionStart(ctx: IExecuteFunctions): number | undefined {
	const getContext = (
		ctx as { getExecutionContext?: () => { establishedAt?: unknown } | undefined }
	).getExecutionContext;
	const establishedAt = getContext?.call(ctx)?.establishedAt;
	return typeof establishedAt === 'number' && Number.isFinite(establishedAt)
		? Math.floor(establishedAt)
		: undefined;
}

/** n8n's Retry of a failed execution ("retry" mode): the tasks it paid for may exist under their default ids. */
function isRetryOfExecution(ctx: RequestContext): boolean {
	return ctx.getMode?.() === 'retry';
}

/**
 * n8n's "Retry On Fail" runs a failed node again, all items, in the same execution on the same worker. Without
 * memory, every item that was already submitted would be submitted (and paid for) again. So each paid submission
 * is remembered by execution, node, item and request; a re-run reuses the task instead of creating a new one, and
 * does not re-send a submission whose first attempt may have been accepted unless a lookup shows it was not.
 */
type Remembered = { taskId: string; at: number } | { maybeAccepted: true; at: number };

const remembered = new Map<string, Remembered>();
const KEEP_MS = 24 * 3600 * 1000;

/**
 * How long after a lost answer a task may still be missing from lookups by business id (the provider may index it
 * a moment after accepting it): looked up at these delays before the submit is taken as never received.
 */
const LOOKUP_DELAYS_MS = [0, 1000, 2000, 4000, 8000];
/** A user's business id may name an older task too: one created this long before the submit is not ours. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** A submit shown not to have arrived is sent again this many times at most. */
const RESENDS = 1;

/** Buffers (uploaded files) count by their digest, so the key stays short whatever the file's size. */
function digestOf(request: unknown): string {
	const json = JSON.stringify(request, (_key, value) => {
		const isBuffer =
			Buffer.isBuffer(value) || (value?.type === 'Buffer' && Array.isArray(value.data));
		return isBuffer
			? createHash('sha256')
					.update(Buffer.from(value.data ?? value))
					.digest('hex')
			: value;
	});
	return createHash('sha256').update(json).digest('hex');
}

export function submissionKey(
	client: SoraClient,
	itemIndex: number,
	request: unknown,
): string | undefined {
	const executionId = client.ctx.getExecutionId?.();
	if (!executionId) return undefined;
	const node = client.ctx.getNode();
	return `${executionId}:${node.id ?? node.name}:${itemIndex}:${client.connection.apiRoot}:${digestOf(request)}`;
}

function prune(now: number): void {
	for (const [key, entry] of remembered) if (now - entry.at > KEEP_MS) remembered.delete(key);
}

/**
 * Sends one item's paid request (after its upload, if any) once per execution, node, item and request, and returns
 * the task's id: the new one, the one an earlier attempt of this execution created, or — when the answer was lost
 * on the way — the one a lookup by business id finds.
 */
export async function submitTask(
	client: SoraClient,
	itemIndex: number,
	submission: Submission,
): Promise<Submitted> {
	const key = submissionKey(client, itemIndex, submission.request);
	const now = Date.now();
	prune(now);
	const earlier = key ? remembered.get(key) : undefined;
	if (earlier && 'taskId' in earlier) return { id: earlier.taskId, reused: true };
	if (earlier) {
		// An earlier attempt may have been accepted: only a lookup can tell, else nothing is sent again.
		const found = submission.businessId
			? await findSubmitted(client, itemIndex, submission, earlier.at)
			: undefined;
		if (found === undefined) throw notSentAgain(client, itemIndex);
		if (found) return remember(client, key, itemIndex, found, true);
		remembered.delete(key!);
	}
	const existing = await findExisting(client, itemIndex, submission);
	if (existing) return remember(client, key, itemIndex, existing, true);
	let failure: unknown;
	for (let sends = 0; sends <= RESENDS; sends++) {
		const sentAt = Date.now();
		try {
			return await send(client, key, itemIndex, submission);
		} catch (error) {
			failure = error;
		}
		if (!mayHaveBeenAccepted(failure)) throw failure;
		if (key) remembered.set(key, { maybeAccepted: true, at: sentAt });
		if (!submission.businessId) throw failure;
		const found = await findSubmitted(client, itemIndex, submission, sentAt);
		if (found) return remember(client, key, itemIndex, found, false);
		if (found === undefined) break;
		// Shown not to have arrived: nothing is paid, so it may be sent again.
		if (key) remembered.delete(key);
		noteNotArrived(failure, submission.businessId.value);
	}
	throw failure;
}

async function send(
	client: SoraClient,
	key: string | undefined,
	itemIndex: number,
	submission: Submission,
): Promise<Submitted> {
	const { adapter } = client;
	const { kind } = submission;
	const uploadedUrls: string[] = [];
	for (const file of submission.uploads ?? [])
		uploadedUrls.push(await upload(client, itemIndex, file));
	const response = await callApi(client, submission.create(uploadedUrls), {
		itemIndex,
		kind: 'submit',
	});
	const task = adapter.normalizeTask(response.body, kind);
	if (!task.id) {
		throw new NodeApiError(
			client.ctx.getNode(),
			{ body: JSON.stringify(response.body).slice(0, 500) },
			{
				message: `The provider accepted the ${kind === 'character' ? 'character ' : ''}request but its answer has no task id`,
				description:
					'The task may be running and billed: check your provider dashboard before running this item again.',
				itemIndex,
			},
		);
	}
	return remember(client, key, itemIndex, submission.answerIsTask ? task : { id: task.id }, false);
}

function remember(
	client: SoraClient,
	key: string | undefined,
	itemIndex: number,
	task: SoraTask | { id: string },
	reused: boolean,
): Submitted {
	if (key) remembered.set(key, { taskId: task.id, at: Date.now() });
	// In n8n's log too: if the execution is stopped before the node returns, this line still names the paid task.
	client.ctx.logger.info(`Sora task ${task.id} submitted (item ${itemIndex})`, {
		taskId: task.id,
		itemIndex,
	});
	return { id: task.id, task: 'status' in task ? task : undefined, reused };
}

/**
 * The task a submit created although its answer was lost, looked up by the business id it carried: the task, false
 * when lookups over the provider's indexing delay show none (the submit never arrived), undefined when the lookups
 * themselves failed (nothing can be said).
 */
async function findSubmitted(
	client: SoraClient,
	itemIndex: number,
	submission: Submission,
	sentAt: number,
): Promise<SoraTask | false | undefined> {
	const { value, givenByUser } = submission.businessId!;
	const started = Date.now();
	for (const delay of LOOKUP_DELAYS_MS) {
		if (!(await pause(started + delay - Date.now(), client.signal))) return undefined;
		try {
			const response = await callApi(client, client.adapter.taskByBusinessId!(value), {
				itemIndex,
				kind: 'read',
			});
			const task = client.adapter.normalizeTask(response.body, submission.kind);
			const createdAt = task.createdAt ? Date.parse(task.createdAt) : NaN;
			// A business id the user reuses across runs can name an older task: that one is not this submit's.
			const older = givenByUser && createdAt < sentAt - CLOCK_SKEW_MS;
			if (task.id && !older) return task;
		} catch (error) {
			if ((error as { httpCode?: string }).httpCode !== '404') return undefined;
		}
	}
	return false;
}

/**
 * The task an earlier run already made for this business id (a re-run of a workflow that failed half way, or n8n's
 * Retry of a failed execution, whose default ids are the first run's), when reusing is asked (the default): one lookup, paced like a status read. A failed task is not reused.
 */
async function findExisting(
	client: SoraClient,
	itemIndex: number,
	submission: Submission,
): Promise<SoraTask | undefined> {
	const businessId = submission.businessId;
	if (!businessId?.reuseExisting) return undefined;
	// The node's own id names an earlier task only when n8n retries an execution (a new run makes new ids).
	if (!businessId.givenByUser && !isRetryOfExecution(client.ctx)) return undefined;
	let failure: unknown;
	try {
		const response = await callApi(client, client.adapter.taskByBusinessId!(businessId.value), {
			itemIndex,
			kind: 'read',
		});
		const task = client.adapter.normalizeTask(response.body, submission.kind);
		return task.id && task.status !== 'failed' ? task : undefined;
	} catch (error) {
		failure = error;
	}
	// None yet (404) is the usual answer. Any other failure fails the item before anything is paid: submitting
	// without knowing could pay twice.
	if ((failure as { httpCode?: string }).httpCode === '404') return undefined;
	throw failure;
}

function notSentAgain(client: SoraClient, itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		client.ctx.getNode(),
		'Not sent again: an earlier attempt in this execution may already have created this video',
		{
			itemIndex,
			description:
				'The node is being retried after a failed submit whose outcome is unknown. Check your provider dashboard for the task; sending it again could make you pay twice.',
		},
	);
}

/** A failed submit that lookups showed never arrived: say so, it changes what the user should do. */
function noteNotArrived(error: unknown, businessId: string): void {
	const e = error as { description?: string; context?: IDataObject };
	e.description = `No task with business id "${businessId}" exists at the provider: this submit did not arrive and is not billed.`;
	if (e.context) e.context.submissionMayHaveBeenAccepted = false;
}

async function upload(
	client: SoraClient,
	itemIndex: number,
	{ what, call }: Upload,
): Promise<string> {
	const uploaded = await callApi(client, call(), { itemIndex, kind: 'read' });
	const url = client.adapter.uploadedUrl?.(uploaded.body);
	if (!url) {
		throw new NodeApiError(
			client.ctx.getNode(),
			{ body: JSON.stringify(uploaded.body).slice(0, 300) },
			{
				message: `The ${what} upload answered without a URL`,
				description: `Nothing was created or billed. Try again, or give the ${what} as a public URL.`,
				itemIndex,
			},
		);
	}
	return url;
}
