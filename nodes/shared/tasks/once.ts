import { createHash } from 'crypto';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { callApi, mayHaveBeenAccepted, type SoraClient } from '../provider/transport';
import type { ApiCall } from '../provider/flavors';

/**
 * n8n's "Retry On Fail" runs a failed node again, all items, in the same execution on the same worker. Without
 * memory, every item that was already submitted would be submitted (and paid for) again. So each paid submission
 * is remembered by execution, node, item and request; a re-run reuses the task instead of creating a new one, and
 * refuses to re-send a submission whose first attempt may have been accepted.
 */
type Remembered = { taskId: string; at: number } | { maybeAccepted: true; at: number };

const remembered = new Map<string, Remembered>();
const KEEP_MS = 24 * 3600 * 1000;

export function submissionKey(client: SoraClient, itemIndex: number, request: unknown): string | undefined {
	const executionId = client.ctx.getExecutionId?.();
	if (!executionId) return undefined;
	const node = client.ctx.getNode();
	const digest = createHash('sha256')
		.update(JSON.stringify(request, (_key, value) => (Buffer.isBuffer(value) || (value?.type === 'Buffer' && Array.isArray(value.data)) ? createHash('sha256').update(Buffer.from(value.data ?? value)).digest('hex') : value)))
		.digest('hex');
	return `${executionId}:${node.id ?? node.name}:${itemIndex}:${client.connection.apiRoot}:${digest}`;
}

function prune(now: number): void {
	for (const [key, entry] of remembered) if (now - entry.at > KEEP_MS) remembered.delete(key);
}

export interface SubmitResult {
	/** The provider's answer to the submit; absent when an earlier attempt's task is reused */
	body?: IDataObject;
	reusedTaskId?: string;
}

/**
 * Sends a paid request once per execution, node, item and request. `prepare` runs only when a request is actually
 * sent (e.g. an image upload whose URL goes into the call).
 */
export async function submitOnce(
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
		throw new NodeOperationError(client.ctx.getNode(), 'Not sent again: an earlier attempt in this execution may already have created this video', {
			itemIndex,
			description:
				'The node is being retried after a failed submit whose outcome is unknown. Check your provider dashboard for the task; sending it again could make you pay twice.',
		});
	}
	let failure: unknown;
	try {
		const response = await callApi(client, await prepare(), { itemIndex, kind: 'submit' });
		const taskId = readTaskId(response.body);
		if (key && taskId) remembered.set(key, { taskId, at: now });
		// In n8n's log too: if the execution is stopped before the node returns, this line still names the paid task.
		if (taskId) client.ctx.logger.info(`Sora task ${taskId} submitted (item ${itemIndex})`, { taskId, itemIndex });
		return { body: response.body };
	} catch (error) {
		failure = error;
	}
	if (key && mayHaveBeenAccepted(failure)) remembered.set(key, { maybeAccepted: true, at: now });
	throw failure;
}
