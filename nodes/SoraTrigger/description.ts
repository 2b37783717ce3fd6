import type { INodeProperties } from 'n8n-workflow';
import { downloadProperties, downloadThumbnailOption } from '../shared/parameters/descriptions';

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			"Copy the Production URL above (it must be HTTPS) into the toapis console as your token's webhook URL, and its signing secret into the Sora API credential (Webhook Signing Secret). Every task of that token, Sora or not, is then reported here: use a token for Sora alone, or filter on model.",
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'options',
		default: 'all',
		options: [
			{
				name: 'Completed and Failed',
				value: 'all',
				description: 'Events generation.completed and generation.failed',
			},
			{ name: 'Completed Only', value: 'completed', description: 'Event generation.completed' },
			{ name: 'Failed Only', value: 'failed', description: 'Event generation.failed' },
		],
		description:
			'Which finished tasks start the workflow. Other events are acknowledged and start nothing.',
	},
	...downloadProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { downloadVideo: [true] } },
		options: [downloadThumbnailOption],
	},
];
