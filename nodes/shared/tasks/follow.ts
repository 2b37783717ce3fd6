import { NodeOperationError, type IBinaryKeyData, type IExecuteFunctions } from 'n8n-workflow';
import { downloadMedia } from '../media/binary';
import { THUMBNAIL_PROPERTY } from '../parameters/descriptions';
import { taskJsonOf, unfinishedWaitError, type ItemResult } from './outcomes';
import { pollTasks, type PollOutcome, type PollTarget } from './polling';
import { mapWithConcurrency } from './pool';
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
}

/**
 * Reads or waits for every item's task together (one polling loop for the whole batch), then streams the
 * finished videos into binary data. Writes each item's outcome into `results`; nothing here throws, so one
 * item's failure never holds back the others.
 */
export async function followTasks(
	ctx: IExecuteFunctions,
	client: SoraClient,
	followUps: readonly FollowUp[],
	concurrency: number,
	results: ItemResult[],
): Promise<void> {
	const toPoll = followUps.filter((f) => !f.submitted || f.wait);
	const polled = await pollTasks(client, toPoll.map((f) => f.target), concurrency);
	const outcomes = new Map<FollowUp, PollOutcome>(toPoll.map((f, n) => [f, polled[n]]));

	const downloads: Array<{ followUp: FollowUp; task: SoraTask }> = [];
	for (const followUp of followUps) {
		const { itemIndex } = followUp.target;
		const outcome: PollOutcome = outcomes.get(followUp) ?? { state: 'unfinished', task: followUp.submitted!, polls: 0 };
		if (outcome.state === 'finished' || outcome.state === 'unfinished') {
			results[itemIndex] = { json: { ...outcome.task } };
			if (followUp.downloadVideo && outcome.task.status === 'completed') downloads.push({ followUp, task: outcome.task });
		} else {
			results[itemIndex] = {
				json: taskJsonOf(followUp.target, outcome.task ?? followUp.submitted),
				error: unfinishedWaitError(ctx.getNode(), followUp.target, outcome),
			};
		}
	}

	// Downloads are heavy: fewer at once than status reads.
	await mapWithConcurrency(downloads, Math.min(concurrency, 4), async ({ followUp, task }) => {
		const { itemIndex } = followUp.target;
		try {
			const sources = client.adapter.videoSources(task);
			if (!sources.length) {
				throw new NodeOperationError(ctx.getNode(), `Sora task ${task.id} is completed but the provider gave no video URL`, {
					itemIndex,
					description: 'The raw provider response is in the output; please report it so we can read this shape.',
				});
			}
			// Variants beyond the first (toapis metadata.n) go to "<field>_2", "<field>_3", ...
			const binary: IBinaryKeyData = {};
			for (let n = 0; n < sources.length; n++) {
				const field = n === 0 ? followUp.binaryPropertyName : `${followUp.binaryPropertyName}_${n + 1}`;
				binary[field] = await downloadMedia(client, task, sources[n], 'video', itemIndex, n);
			}
			const thumbnail = followUp.downloadThumbnail ? client.adapter.thumbnailSource(task) : undefined;
			if (thumbnail) binary[THUMBNAIL_PROPERTY] = await downloadMedia(client, task, thumbnail, 'thumbnail', itemIndex);
			results[itemIndex].binary = binary;
		} catch (error) {
			results[itemIndex].error = error as Error;
		}
	});
}
