import type { INodeProperties } from 'n8n-workflow';

/** Parameters every Sora node shares, written once. */

export const waitForCompletionProperties: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep polling until the task is completed or failed. For jobs longer than a few minutes, or in queue mode, prefer a Wait node followed by Sora Task Status so no worker is held.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 1, maxValue: 600 },
		description: 'Seconds between status checks while waiting',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitTime',
		type: 'number',
		default: 600,
		typeOptions: { minValue: 1, maxValue: 86400 },
		description:
			'How long to wait before giving up. The task keeps running at the provider: its ID is in the error, ready for Sora Task Status.',
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];

export const downloadProperties: INodeProperties[] = [
	{
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: false,
		description:
			'Whether to download the finished video into the item as binary data (streamed, any size)',
	},
	{
		displayName: 'Put Video in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary field the video is written to',
		displayOptions: { show: { downloadVideo: [true] } },
	},
];

export const downloadThumbnailOption: INodeProperties = {
	displayName: 'Download Thumbnail',
	name: 'downloadThumbnail',
	type: 'boolean',
	default: false,
	description:
		'Whether to also download the thumbnail, where the provider has one, into the binary field "thumbnail". A thumbnail that cannot be had never costs the video: the item then says why in thumbnailError.',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	default: 5,
	typeOptions: { minValue: 1, maxValue: 50 },
	description:
		'How many provider requests this node makes at the same time across its items. Submits and status reads are also paced to the rate limit the provider reports, so a higher value does not bring more rate-limit refusals.',
};

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	default: 60,
	typeOptions: { minValue: 1, maxValue: 600 },
	description:
		'How long one API request may take before it counts as failed (status reads are then retried)',
};

/** The Model parameter: the known models from a list, or any name typed in (model names stay open). */
export function modelLocator(
	searchListMethod: string,
	extra: Partial<INodeProperties> = {},
	searchable = false,
): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: 'sora-2' },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable },
			},
			{
				displayName: 'By Name',
				name: 'id',
				type: 'string',
				placeholder: 'sora-2',
				hint: 'Any model name your provider offers. On Azure: your deployment name.',
			},
		],
		...extra,
	};
}
