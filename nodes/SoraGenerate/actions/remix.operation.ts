import { updateDisplayOptions, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import { readText } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { planVideo, readVideoFields } from './video';

/** Remix: a new video from a finished one and a new prompt. */

const properties: INodeProperties[] = [
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
		description: 'ID of the finished video to remix. Private videos cannot be remixed.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['remix'] } }, properties);

export async function planItem(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
	const parameters = {
		...readVideoFields(ctx, client, itemIndex, 'remix'),
		videoId: readText(ctx, 'videoId', itemIndex),
	};
	return planVideo(ctx, client, itemIndex, parameters);
}
