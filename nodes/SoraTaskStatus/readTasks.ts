import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { createFollower, type FollowUp } from '../shared/tasks/follow';
import type { ItemResult } from '../shared/tasks/outcomes';
import type { TaskKind } from '../shared/tasks/task';
import type { SoraClient } from '../shared/provider/transport';
import { readDownloadParameters, readText, readWaitParameters, startBatch } from '../shared/parameters/read';

function readFollowUp(ctx: IExecuteFunctions, client: SoraClient, itemIndex: number): FollowUp {
	const node = ctx.getNode();
	const id = readText(ctx, 'taskId', itemIndex).trim();
	if (!id) {
		throw new NodeOperationError(node, 'Task ID is empty', {
			itemIndex,
			description:
				'Give the ID of a Sora task, e.g. "video_01K8SGYNNNVBQTXNR4MM964S7K", or map it from Sora Generate with {{ $json.id }}.',
		});
	}
	const kind = ctx.getNodeParameter('taskType', itemIndex, 'video') as TaskKind;
	if (!client.adapter.kinds.includes(kind)) {
		throw new NodeOperationError(node, `The ${client.adapter.label} API has no ${kind} tasks`, {
			itemIndex,
			description: 'Character tasks exist on the toapis flavor only. Set Task Type to Video, or use a toapis credential.',
		});
	}
	const wait = readWaitParameters(ctx, itemIndex);
	const download = readDownloadParameters(ctx, itemIndex, kind === 'video');
	return {
		target: { itemIndex, id, kind, intervalMs: wait.intervalMs, maxWaitMs: wait.wait ? wait.maxWaitMs : 0 },
		wait: wait.wait,
		...download,
	};
}

/** Reads (and optionally waits for, and downloads) every item's task together. */
export async function readTasks(this: IExecuteFunctions): Promise<ItemResult[]> {
	const { items, results, options, client } = await startBatch(this);
	if (!client) return results;

	const followUps: FollowUp[] = [];
	items.forEach((_, itemIndex) => {
		try {
			followUps.push(readFollowUp(this, client, itemIndex));
		} catch (error) {
			results[itemIndex] = { json: {}, error: error as Error };
		}
	});
	await Promise.all(followUps.map(createFollower(this, client, options.concurrency, results)));
	return results;
}

