import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	modelLocator,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';

const onCreate = { show: { operation: ['create'] } };

export const characterProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'create',
		options: [
			{ name: 'Create', value: 'create', action: 'Create a character', description: 'Extract a reusable character from a video (toapis)' },
			{ name: 'Get', value: 'get', action: 'Get a character task', description: 'Read a character task and its @usernames (toapis)' },
		],
	},
	modelLocator('searchCharacterModels', { displayOptions: onCreate }),
	{
		displayName: 'Timestamps',
		name: 'timestamps',
		type: 'string',
		default: '1,3',
		required: true,
		placeholder: '1,3',
		description: '"start,end" in seconds where the character is clearly visible: at least 1 s, at most 3 s',
		displayOptions: onCreate,
	},
	{
		displayName: 'Video URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/my-character.mp4',
		description: 'Public http(s) URL of a video with audio and an identifiable character. Set exactly one video source.',
		displayOptions: onCreate,
	},
	{
		displayName: 'From Task',
		name: 'fromTask',
		type: 'string',
		default: '',
		placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
		description: 'ID of an earlier Sora Generate task to take the character from. Set exactly one video source.',
		displayOptions: onCreate,
	},
	{
		displayName: 'Video From Binary Field',
		name: 'videoBinaryPropertyName',
		type: 'string',
		default: '',
		placeholder: 'data',
		description: 'Name of an input binary field holding the video (MP4, WebM or MOV, up to 50 MB); it is uploaded for you. Set exactly one video source.',
		displayOptions: onCreate,
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		placeholder: 'A cheerful corgi in a red scarf',
		description: 'Optional, sent only when set. Toapis says character creation needs no prompt and does not document what one changes.',
		displayOptions: onCreate,
	},
	{
		displayName: 'Character Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		placeholder: 'task_01KBYT59JDHB4A3KDDR9N9JVWP',
		displayOptions: { show: { operation: ['get'] } },
	},
	...waitForCompletionProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption, requestTimeoutOption],
	},
];
