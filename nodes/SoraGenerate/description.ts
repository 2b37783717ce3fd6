import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	downloadProperties,
	downloadThumbnailOption,
	modelLocator,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import { NO_ASPECT_MODELS } from '../shared/parameters/families';
import { durationsByModel, familyDurations } from '../shared/rules/models';
import * as extend from './actions/extend.operation';
import * as generate from './actions/generate.operation';
import * as remix from './actions/remix.operation';

/** What an AI agent reads about Sora Generate used as a tool: each value it may fill in, and what is allowed. */
const toolDescription =
	'Generates a video with Sora 2 and returns the task as JSON: id, status, videoUrl (once finished; OpenAI-compatible and Azure give contentPath instead), error. ' +
	'prompt: what the video shows, in plain words (subject, action, setting, camera, style; a character as @username). ' +
	`duration: the length in whole seconds, which depends on the model set in this tool: ${durationsByModel()} Other toapis models: ${familyDurations()}. ` +
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
		description:
			'What the AI agent reads about this tool: what it does and which values it may fill in',
		displayOptions: { show: { '@tool': [true] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'generate',
		options: [
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a video',
				description: 'Create a new video from a prompt (and reference images)',
			},
			{
				name: 'Remix',
				value: 'remix',
				action: 'Remix a video',
				description: 'Create a new video from an earlier one and a new prompt',
			},
			{
				name: 'Extend',
				value: 'extend',
				action: 'Extend a video',
				description: 'Continue a finished video with a new prompt (grok-video-1.0)',
			},
		],
	},
	...remix.description,
	...extend.description,
	modelLocator(
		'searchModels',
		{
			description:
				"The video models your credential's key can use, loaded from the provider (toapis and OpenAI-compatible; on Azure type your deployment name). Models the node's table knows are checked against their rules; any other name can be typed and passes with the generic checks.",
		},
		true,
	),
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		placeholder: 'A golden retriever running on grass, sunny day',
		description:
			'What the video shows. Reference characters created with Sora Character as @username.',
	},
	{
		displayName: 'Duration Name or ID',
		name: 'duration',
		type: 'options',
		default: 0,
		typeOptions: { loadOptionsMethod: 'getDurations', loadOptionsDependsOn: ['model.value'] },
		description:
			'Video length in seconds; the choices follow the model (Auto = -1 where the model takes it). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Aspect Ratio Name or ID',
		name: 'aspectRatio',
		type: 'options',
		default: '',
		typeOptions: { loadOptionsMethod: 'getAspectRatios', loadOptionsDependsOn: ['model.value'] },
		description:
			'The shape of the video; the choices follow the model. On OpenAI-compatible and Azure hosts this sets the size: 16:9 = 1280x720, 9:16 = 720x1280. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { hide: { model: NO_ASPECT_MODELS } },
	},
	...generate.description,
	...waitForCompletionProperties,
	{
		displayName: 'Wait Mode',
		name: 'waitMode',
		type: 'options',
		noDataExpression: true,
		default: 'poll',
		options: [
			{
				name: 'Poll in This Node',
				value: 'poll',
				description:
					"The execution keeps running and reads each task's status every Poll Interval until it ends",
			},
			{
				name: 'Until Toapis Calls Back (No Worker Held)',
				value: 'callback',
				description:
					"The execution is parked after the submits and resumed by toapis' signed callbacks once every task has ended: nothing runs and no worker is held meanwhile. Needs the credential's Webhook URL and Signing Secret. Other hosts: parked for the Poll Interval, then the tasks come out for Sora Task Status.",
			},
		],
		description:
			'How to wait. Parked executions come out with the task JSON; add Sora Task Status (Download Video) after the node to download, in the resumed execution.',
		displayOptions: { show: { waitForCompletion: [true], operation: ['generate'] } },
	},
	// Without waiting there is no video yet to download; a parked execution downloads in a Sora Task Status after it.
	...downloadProperties.map((p) => ({
		...p,
		displayOptions: {
			show: {
				waitForCompletion: [true],
				...(p.name === 'downloadVideo' ? {} : { downloadVideo: [true] }),
			},
			hide: { waitMode: ['callback'] },
		},
	})),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Check Balance First',
				name: 'checkBalance',
				type: 'boolean',
				default: false,
				description:
					"Whether to read the toapis token's balance (free) before the batch and refuse every item, sending nothing, when it has no credits left",
			},
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
			{
				displayName: 'Max Credits per Execution',
				name: 'maxCredits',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description:
					"Toapis: refuse further items, before they are sent, once this execution has spent this many credits (200 credits = 1 USD), as the token's balance reports it. 0 = no limit. Each submit then waits for a fresh balance reading.",
			},
			{
				displayName: 'Report Spend',
				name: 'reportSpend',
				type: 'boolean',
				default: false,
				description:
					"Whether to read the toapis token's balance (free) before and after the batch and add it to every item as spend: credits and USD before and after, and what the batch spent",
			},
			requestTimeoutOption,
		],
	},
];
