import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';
import type { SoraTask, TaskKind } from '../domain/task';
import { downloadTaskFiles } from '../media/binary';
import type { SoraClient } from '../provider/transport';
import { Limiter } from '../util/limiter';
import { taskJsonOf, unfinishedWaitError, type ItemResult } from './outcomes';
import { pollTask, type PollOutcome, type PollTarget, type Waiting } from './polling';

/** Whether and where a finished task's files go into the item. */
export interface Downloads {
	downloadVideo: boolean;
	binaryPropertyName: string;
	downloadThumbnail: boolean;
}

export const NO_DOWNLOADS: Downloads = {
	downloadVideo: false,
	binaryPropertyName: 'data',
	downloadThumbnail: false,
};

/** What happens to an item's task once its id is known: read or wait for it, then maybe download its files. */
export interface FollowPlan {
	waiting: Waiting;
	downloads: Downloads;
	/** A task that ends failed goes to the error output (when the node has one) */
	failedTaskToErrorOutput?: boolean;
}

/** A task to follow, and where its id came from. */
export interface FollowedTask {
	itemIndex: number;
	id: string;
	kind: TaskKind;
	/**
	 * submitted: created by this attempt (certainly not done yet); reused: created by an earlier attempt of this
	 * execution (n8n's Retry On Fail); given: named by the user (it may not exist).
	 */
	origin: 'submitted' | 'reused' | 'given';
	/** The task as the submit answered it; without one the task is read first */
	submitted?: SoraTask;
}

/** Follows one task to its end and writes the item's outcome into `results`; never throws. */
export type Follow = (task: FollowedTask, plan: FollowPlan) => Promise<void>;

function pollTargetOf(task: FollowedTask, waiting: Waiting): PollTarget {
	return {
		itemIndex: task.itemIndex,
		id: task.id,
		kind: task.kind,
		intervalMs: waiting.intervalMs,
		maxWaitMs: waiting.maxWaitMs,
		firstPollAfterInterval: task.origin === 'submitted' && waiting.wait,
		createdHere: task.origin !== 'given',
	};
}

/**
 * One follower per execution. Each item is followed from the moment its task id is known — while other items are
 * still being submitted — and its video is streamed into binary data as soon as it is ready, so results and
 * downloads do not wait for the whole batch. One item's failure never holds back the others.
 */
export function createFollower(
	ctx: IExecuteFunctions,
	client: SoraClient,
	concurrency: number,
	results: ItemResult[],
): Follow {
	// Downloads are heavy: fewer at once than API calls.
	const downloads = new Limiter(Math.min(concurrency, 4));
	return async (task, plan) => {
		const { itemIndex } = task;
		const target = pollTargetOf(task, plan.waiting);
		// A task just submitted and not waited for is output as the submit answered it; any other is read.
		const outcome: PollOutcome =
			task.submitted && !plan.waiting.wait
				? { state: 'unfinished', task: task.submitted, polls: 0 }
				: await pollTask(client, target);
		if (outcome.state !== 'finished' && outcome.state !== 'unfinished') {
			results[itemIndex] = {
				json: taskJsonOf(target, outcome.task ?? task.submitted),
				error: unfinishedWaitError(ctx.getNode(), target, outcome),
			};
			return;
		}
		results[itemIndex] = { json: { ...outcome.task } };
		// Nothing was submitted for this item now: the task is an earlier run's or an earlier attempt's.
		if (task.origin === 'reused') results[itemIndex].json.reused = true;
		if (outcome.task.status === 'failed' && plan.failedTaskToErrorOutput) {
			results[itemIndex].failedTask = failedTaskError(ctx.getNode(), itemIndex, outcome.task);
		}
		const { downloadVideo, binaryPropertyName, downloadThumbnail } = plan.downloads;
		if (!downloadVideo || outcome.task.status !== 'completed') return;
		try {
			const files = await downloads.run(
				async () =>
					await downloadTaskFiles(
						client,
						outcome.task,
						binaryPropertyName,
						itemIndex,
						downloadThumbnail,
					),
			);
			results[itemIndex].binary = files.binary;
			if (files.thumbnailError) results[itemIndex].json.thumbnailError = files.thumbnailError;
			if (files.lastFrameError) results[itemIndex].json.lastFrameError = files.lastFrameError;
		} catch (error) {
			results[itemIndex].error = error as Error;
		}
	};
}

/** A task that ended failed: a valid result, but an error where the node's On Error setting sends failed items. */
export function failedTaskError(
	node: INode,
	itemIndex: number,
	task: SoraTask,
): NodeOperationError {
	const reason = task.error?.message ? `: ${task.error.message}` : '';
	return new NodeOperationError(node, `Sora task ${task.id} failed${reason}`, {
		itemIndex,
		description: `The provider ended the task without a video${task.error?.code ? ` (${task.error.code})` : ''}. Change the prompt or images and generate again; the task JSON is in this item.`,
	});
}
