import { createHash } from 'crypto';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { SoraTask, TaskKind } from '../domain/task';
import type { ApiCall } from '../provider/flavors';
import { callApi, mayHaveBeenAccepted, type SoraClient } from '../provider/transport';

/** A file to upload before the create call: free and safe to repeat, so retried like a read. */
export interface Upload {
	what: 'image' | 'video';
	call(): ApiCall;
}

/** One item's paid request, as an operation plans it: optional free uploads, then the create call. */
export interface Submission {
	kind: TaskKind;
	/** The validated request: what makes a submission the same as an earlier attempt's (see submitOnce) */
	request: unknown;
	/** Files to upload first, one after the other; their URLs, in the same order, go into the create call */
	uploads?: Upload[];
	create(uploadedUrls: string[]): ApiCall;
	/** The create call answers with the whole task (video generation); otherwise only with its id, and it is read once */
	answerIsTask: boolean;
}

export interface Submitted {
	id: string;
	/** The task as the create call answered it, where that answer is the whole task */
	task?: SoraTask;
	/** An earlier attempt of this execution created the task (n8n's Retry On Fail): nothing was sent now */
	reused: boolean;
}

/**
 * Sends one item's paid request (after its upload, if any) and returns the new task's id, or the id of the task an
 * earlier attempt of this execution created.
 */
export async function submitTask(
	client: SoraClient,
	itemIndex: number,
	submission: Submission,
): Promise<Submitted> {
	const { adapter } = client;
	const { kind } = submission;
	const result = await submitOnce(
		client,
		itemIndex,
		submission.request,
		async () => {
			const urls: string[] = [];
			for (const file of submission.uploads ?? []) urls.push(await upload(client, itemIndex, file));
			return submission.create(urls);
		},
		(body) => adapter.normalizeTask(body, kind).id,
	);
	if (result.reusedTaskId) return { id: result.reusedTaskId, reused: true };
	const task = adapter.normalizeTask(result.body!, kind);
	if (!task.id) {
		throw new NodeApiError(
			client.ctx.getNode(),
			{ body: JSON.stringify(result.body).slice(0, 500) },
			{
				message: `The provider accepted the ${kind === 'character' ? 'character ' : ''}request but its answer has no task id`,
				description:
					'The task may be running and billed: check your provider dashboard before running this item again.',
				itemIndex,
			},
		);
	}
	return { id: task.id, task: submission.answerIsTask ? task : undefined, reused: false };
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

/**
 * n8n's "Retry On Fail" runs a failed node again, all items, in the same execution on the same worker. Without
 * memory, every item that was already submitted would be submitted (and paid for) again. So each paid submission
 * is remembered by execution, node, item and request; a re-run reuses the task instead of creating a new one, and
 * refuses to re-send a submission whose first attempt may have been accepted.
 */
type Remembered = { taskId: string; at: number } | { maybeAccepted: true; at: number };

const remembered = new Map<string, Remembered>();
const KEEP_MS = 24 * 3600 * 1000;

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

interface SubmitResult {
	/** The provider's answer to the submit; absent when an earlier attempt's task is reused */
	body?: IDataObject;
	reusedTaskId?: string;
}

/**
 * Sends a paid request once per execution, node, item and request. `prepare` runs only when a request is actually
 * sent (e.g. an image upload whose URL goes into the call).
 */
async function submitOnce(
	client: SoraClient,
	itemIndex: number,
	logicalRequest: unknown,
	prepare: () => Promise<ApiCall>,
	readTaskId: (body: IDataObject) => string,
): Promise<SubmitResult> {
	const key = submissionKey(client, itemIndex, logicalRequest);
	const now = Date.now();
	prune(now);
	const earlier = key ? remembered.get(key) : undefined;
	if (earlier && 'taskId' in earlier) return { reusedTaskId: earlier.taskId };
	if (earlier) {
		throw new NodeOperationError(
			client.ctx.getNode(),
			'Not sent again: an earlier attempt in this execution may already have created this video',
			{
				itemIndex,
				description:
					'The node is being retried after a failed submit whose outcome is unknown. Check your provider dashboard for the task; sending it again could make you pay twice.',
			},
		);
	}
	let failure: unknown;
	try {
		const response = await callApi(client, await prepare(), { itemIndex, kind: 'submit' });
		const taskId = readTaskId(response.body);
		if (key && taskId) remembered.set(key, { taskId, at: now });
		// In n8n's log too: if the execution is stopped before the node returns, this line still names the paid task.
		if (taskId)
			client.ctx.logger.info(`Sora task ${taskId} submitted (item ${itemIndex})`, {
				taskId,
				itemIndex,
			});
		return { body: response.body };
	} catch (error) {
		failure = error;
	}
	if (key && mayHaveBeenAccepted(failure)) remembered.set(key, { maybeAccepted: true, at: now });
	throw failure;
}
