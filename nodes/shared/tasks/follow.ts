import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { downloadTaskFiles } from '../media/binary';
import { taskJsonOf, unfinishedWaitError, type ItemResult } from './outcomes';
import { pollTask, type PollOutcome, type PollTarget } from './polling';
import { Limiter } from './pool';
import type { SoraTask } from './task';
import type { SoraClient } from '../provider/transport';

/** What happens to a task after it is known: read or wait for it, then maybe download its video. */
export interface FollowUp {
	target: PollTarget;
	/** The task as the submit answered it; without one the task is read first */
	submitted?: SoraTask;
	wait: boolean;
	downloadVideo: boolean;
	binaryPropertyName: string;
	downloadThumbnail: boolean;
	/** A task that ends failed goes to the error output (when the node has one) */
	failedTaskToErrorOutput?: boolean;
}

/** Follows one task to its end and writes the item's outcome into `results`; never throws. */
export type Follow = (followUp: FollowUp) => Promise<void>;

/**
 * One follower per execution. Each item is followed from the moment its task id is known — while other items are
 * still being submitted — and its video is streamed into binary data as soon as it is ready, so results and
 * downloads do not wait for the whole batch. One item's failure never holds back the others.
 */
export function createFollower(ctx: IExecuteFunctions, client: SoraClient, concurrency: number, results: ItemResult[]): Follow {
	// Downloads are heavy: fewer at once than API calls.
	const downloads = new Limiter(Math.min(concurrency, 4));
	return async (followUp) => {
		const { itemIndex } = followUp.target;
		const outcome: PollOutcome =
			followUp.submitted && !followUp.wait
				? { state: 'unfinished', task: followUp.submitted, polls: 0 }
				: await pollTask(client, followUp.target);
		if (outcome.state !== 'finished' && outcome.state !== 'unfinished') {
			results[itemIndex] = {
				json: taskJsonOf(followUp.target, outcome.task ?? followUp.submitted),
				error: unfinishedWaitError(ctx.getNode(), followUp.target, outcome),
			};
			return;
		}
		results[itemIndex] = { json: { ...outcome.task } };
		if (outcome.task.status === 'failed' && followUp.failedTaskToErrorOutput) {
			results[itemIndex].missedGoal = failedTaskError(ctx, followUp.target, outcome.task);
		}
		if (!followUp.downloadVideo || outcome.task.status !== 'completed') return;
		try {
			const files = await downloads.run(
				async () => await downloadTaskFiles(client, outcome.task, followUp.binaryPropertyName, itemIndex, followUp.downloadThumbnail),
			);
			results[itemIndex].binary = files.binary;
			if (files.thumbnailError) results[itemIndex].json.thumbnailError = files.thumbnailError;
		} catch (error) {
			results[itemIndex].error = error as Error;
		}
	};
}

function failedTaskError(ctx: IExecuteFunctions, target: PollTarget, task: SoraTask): NodeOperationError {
	const reason = task.error?.message ? `: ${task.error.message}` : '';
	return new NodeOperationError(ctx.getNode(), `Sora task ${task.id} failed${reason}`, {
		itemIndex: target.itemIndex,
		description: `The provider ended the task without a video${task.error?.code ? ` (${task.error.code})` : ''}. Change the prompt or images and generate again; the task JSON is in this item.`,
	});
}
