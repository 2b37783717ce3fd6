import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	downloadProperties,
	downloadThumbnailOption,
	modelLocator,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import { durationsByModel, STYLES } from '../shared/parameters/models';

const onGenerate = { show: { operation: ['generate'] } };

/** What an AI agent reads about Sora Generate used as a tool: each value it may fill in, and what is allowed. */
const toolDescription =
	'Generates a video with Sora 2 and returns the task as JSON: id, status, videoUrl (once finished; OpenAI-compatible and Azure give contentPath instead), error. ' +
	'prompt: what the video shows, in plain words (subject, action, setting, camera, style; a character as @username). ' +
	`duration: the length in whole seconds, which depends on the model set in this tool: ${durationsByModel()} ` +
	'A value that is not allowed comes back as an error that names the allowed values: call again with one of them.';

export const generateProperties: INodeProperties[] = [
	{
		// Declared here (n8n adds a generic one otherwise) so that the default tells the model the allowed values.
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: toolDescription,
		required: true,
		typeOptions: { rows: 4 },
		description: 'What the AI agent reads about this tool: what it does and which values it may fill in',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'generate',
		options: [
			{ name: 'Generate', value: 'generate', action: 'Generate a video', description: 'Create a new video from a prompt (and reference images)' },
			{ name: 'Remix', value: 'remix', action: 'Remix a video', description: 'Create a new video from an earlier one and a new prompt' },
		],
	},
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
		description: 'ID of the finished video to remix. Private videos cannot be remixed.',
		displayOptions: { show: { operation: ['remix'] } },
	},
	modelLocator('searchModels', {
		description:
			"The models your credential's API flavor knows. Any other name can be typed: new models pass through with the generic checks.",
	}),
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		placeholder: 'A golden retriever running on grass, sunny day',
		description: 'What the video shows. Reference characters created with Sora Character as @username.',
	},
	{
		displayName: 'Duration Name or ID',
		name: 'duration',
		type: 'options',
		default: 0,
		typeOptions: { loadOptionsMethod: 'getDurations', loadOptionsDependsOn: ['model.value'] },
		description:
			'Video length in seconds; the choices follow the model. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Aspect Ratio',
		name: 'aspectRatio',
		type: 'options',
		default: '',
		options: [
			{ name: 'Provider Default', value: '' },
			{ name: 'Landscape 16:9', value: '16:9' },
			{ name: 'Portrait 9:16', value: '9:16' },
		],
		description: 'On OpenAI-compatible and Azure hosts this sets the size: 16:9 = 1280x720, 9:16 = 720x1280',
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/first-frame.jpg',
		description: 'Public http(s) URLs of reference images, separated by commas or new lines (toapis). Base64 is not accepted: use Image From Binary Field.',
		displayOptions: onGenerate,
	},
	{
		displayName: 'Image From Binary Field',
		name: 'imageBinaryPropertyName',
		type: 'string',
		default: '',
		placeholder: 'data',
		description: 'Name of an input binary field holding a reference image. On toapis it is uploaded for you; on OpenAI-compatible and Azure hosts it is sent as input_reference.',
		displayOptions: onGenerate,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: onGenerate,
		options: [
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: '/webhook/TRIGGER_ID/webhook?batch=42',
				description: 'Toapis: send this task\'s webhook here instead of the default URL set in the toapis console. Only the path and query may differ from the Webhook URL of the credential (same scheme, host and port). Pair with a Sora Trigger. Toapis documents callback URLs for its task webhooks; its Sora pages do not list them.',
			},
			{
				displayName: 'Character Create',
				name: 'characterCreate',
				type: 'boolean',
				default: false,
				description: 'Whether to create a character from the generated video when it is finished (toapis)',
			},
			{
				displayName: 'Character From Task',
				name: 'characterFromTask',
				type: 'string',
				default: '',
				placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
				description: 'Create a character from an earlier generation task (toapis)',
			},
			{
				displayName: 'Character Timestamps',
				name: 'characterTimestamps',
				type: 'string',
				default: '',
				placeholder: '1,3',
				description: '"start,end" seconds where the character appears in the Character URL video; 2-second segments only. The video gets 1 s shorter (toapis).',
			},
			{
				displayName: 'Character URL',
				name: 'characterUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/character.mp4',
				description: 'Toapis: a public video URL to take a character from, or the task ID of a finished Sora Character task. The generated video gets 1 s shorter.',
			},
			{
				displayName: 'Client Business ID',
				name: 'clientBusinessId',
				type: 'string',
				default: '',
				placeholder: '={{ $json.rowId }}',
				description: 'Toapis: your own ID for this video, e.g. a sheet row ID. Sora Trigger and Sora Task Status output it in the clientBusinessId field. Toapis documents it for its task status and webhooks; its Sora pages do not list it.',
			},
			{
				displayName: 'HD',
				name: 'hd',
				type: 'boolean',
				default: false,
				description: 'Whether to render in high definition (toapis): sora-2-pro, not at 25 s',
			},
			{
				displayName: 'Number of Variants',
				name: 'n',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 1, maxValue: 4 },
				description: 'How many different variants to generate, 1 to 4 (toapis)',
			},
			{
				displayName: 'Private',
				name: 'private',
				type: 'boolean',
				default: false,
				description: 'Whether the video stays unpublished, so it cannot be remixed (toapis)',
			},
			{
				displayName: 'Size Name or ID',
				name: 'size',
				type: 'options',
				default: '',
				typeOptions: { loadOptionsMethod: 'getSizes', loadOptionsDependsOn: ['model.value'] },
				description:
					'OpenAI-compatible and Azure only: the exact size; with an Aspect Ratio set, it must match it. The choices follow the model; toapis takes no size. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Storyboard',
				name: 'storyboard',
				type: 'boolean',
				default: false,
				description: 'Whether to use a storyboard for finer control (toapis)',
			},
			{
				displayName: 'Style',
				name: 'style',
				type: 'options',
				default: 'anime',
				options: STYLES.map((style) => ({ name: style[0].toUpperCase() + style.slice(1), value: style })),
				description: 'Visual style (toapis)',
			},
			{
				displayName: 'Thumbnail',
				name: 'thumbnail',
				type: 'boolean',
				default: false,
				description: 'Whether to also generate a thumbnail (toapis)',
			},
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: 'Whether to add the Sora watermark (toapis)',
			},
		],
	},
	...waitForCompletionProperties,
	// Without waiting there is no video yet to download.
	...downloadProperties.map((p) => ({
		...p,
		displayOptions: { show: { waitForCompletion: [true], ...(p.name === 'downloadVideo' ? {} : { downloadVideo: [true] }) } },
	})),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			concurrencyOption,
			downloadThumbnailOption,
			{
				displayName: 'Failed Tasks to Error Output',
				name: 'failedTaskToErrorOutput',
				type: 'boolean',
				default: true,
				description:
					'Whether a task that ends failed (for example refused by the content policy) goes to the error output when the node\'s On Error setting is "Continue (using error output)". Otherwise it comes out as data with status "failed".',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
			requestTimeoutOption,
		],
	},
];
