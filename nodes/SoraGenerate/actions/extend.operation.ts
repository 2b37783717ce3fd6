import { updateDisplayOptions, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import { readText } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { planVideo, readVideoFields } from './video';

/** Extend: continue a finished video with a new prompt (toapis grok-video-1.0: POST /v1/videos/{id}/extend). */

const properties: INodeProperties[] = [
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'task_01K8SGYNNNVBQTXNR4MM964S7K',
		description:
			'Task ID of the finished grok-video-1.0 video to continue. Seedance 2.5 extends in Generate instead, with Video Operation "Extend".',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['extend'] } }, properties);

export async function planItem(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
	const parameters = {
		...readVideoFields(ctx, client, itemIndex, 'extend'),
		videoId: readText(ctx, 'videoId', itemIndex),
	};
	return planVideo(ctx, client, itemIndex, parameters);
}
