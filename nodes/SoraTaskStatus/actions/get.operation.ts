import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import type { TaskKind } from '../../shared/domain/task';
import { readDownloads, readText, readWaiting } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';

/** Read a task by its id: now, or until it finishes; a finished video can be downloaded. */

export const description: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
		description: 'ID of the task, as returned by Sora Generate or Sora Character',
	},
	{
		displayName: 'Task Type',
		name: 'taskType',
		type: 'options',
		default: 'video',
		options: [
			{
				name: 'Character',
				value: 'character',
				description: 'A character creation task (toapis only)',
			},
			{ name: 'Video', value: 'video', description: 'A video generation or remix task' },
		],
	},
];

export async function planItem(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
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
			description:
				'Character tasks exist on the toapis flavor only. Set Task Type to Video, or use a toapis credential.',
		});
	}
	return {
		read: { id, kind },
		waiting: readWaiting(ctx, itemIndex),
		downloads: readDownloads(ctx, itemIndex, kind === 'video'),
	};
}
