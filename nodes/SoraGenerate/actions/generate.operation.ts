import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import {
	familyFieldOptions,
	familyProperties,
	HIDE_FOR_FAMILIES,
	NO_PLAIN_IMAGE_MODELS,
	NO_WATERMARK_MODELS,
	readMediaInputs,
	sortedCollections,
} from '../../shared/parameters/families';
import { readInputFile, readText } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { modelsTaking, STYLES } from '../../shared/rules/models';
import { planVideo, readVideoFields } from './video';

/** Generate: a new video from a prompt, reference images and the provider's extra fields. */

const soraOnly = { displayOptions: HIDE_FOR_FAMILIES };
const hidePlainImages = { displayOptions: { hide: { model: NO_PLAIN_IMAGE_MODELS } } };

const properties: INodeProperties[] = [
	...familyProperties,
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/first-frame.jpg',
		description:
			'Public http(s) URLs of reference images, separated by commas or new lines (toapis). Base64 is not accepted: use Image From Binary Field. Other families take these as their plain images (image_urls; Grok: the main image); for roles use Media.',
		...hidePlainImages,
	},
	{
		displayName: 'Image From Binary Field',
		name: 'imageBinaryPropertyName',
		type: 'string',
		default: '',
		placeholder: 'data',
		description:
			'Name of an input binary field holding a reference image. On toapis it is uploaded for you; on OpenAI-compatible and Azure hosts it is sent as input_reference.',
		...hidePlainImages,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: '/webhook/TRIGGER_ID/webhook?batch=42',
				description:
					"Toapis: send this task's webhook here instead of the default URL set in the toapis console. Only the path and query may differ from the Webhook URL of the credential (same scheme, host and port). Pair with a Sora Trigger. Toapis documents callback URLs for its task webhooks; its Sora pages do not list them.",
			},
			{
				displayName: 'Character Create',
				name: 'characterCreate',
				type: 'boolean',
				default: false,
				description:
					'Whether to create a character from the generated video when it is finished (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Character From Task',
				name: 'characterFromTask',
				type: 'string',
				default: '',
				placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
				description: 'Create a character from an earlier generation task (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Character Timestamps',
				name: 'characterTimestamps',
				type: 'string',
				default: '',
				placeholder: '1,3',
				description:
					'"start,end" seconds where the character appears in the Character URL video; 2-second segments only. The video gets 1 s shorter (toapis).',
				...soraOnly,
			},
			{
				displayName: 'Character URL',
				name: 'characterUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/character.mp4',
				description:
					'Toapis: a public video URL to take a character from, or the task ID of a finished Sora Character task. The generated video gets 1 s shorter.',
				...soraOnly,
			},
			{
				displayName: 'Client Business ID',
				name: 'clientBusinessId',
				type: 'string',
				default: '',
				placeholder: '={{ $json.rowId }}',
				description:
					'Toapis: your own ID for this video, e.g. a sheet row ID. Sora Trigger and Sora Task Status output it in the clientBusinessId field. Toapis documents it for its task status and webhooks; its Sora pages do not list it.',
			},
			{
				displayName: 'Extra Body Fields (JSON)',
				name: 'extraBody',
				type: 'json',
				default: '{}',
				description:
					'Toapis: fields the provider added that the node does not know yet, as a JSON object merged into the request body ("metadata" key by key). The node refuses a field it sets itself: use its own field for that.',
			},
			{
				displayName: 'HD',
				name: 'hd',
				type: 'boolean',
				default: false,
				description: 'Whether to render in high definition (toapis): sora-2-pro, not at 25 s',
				...soraOnly,
			},
			{
				displayName: 'If a Task With This ID Exists',
				name: 'ifTaskExists',
				type: 'options',
				default: 'reuse',
				options: [
					{
						name: 'Reuse It',
						value: 'reuse',
						description:
							'Follow (and download) the task this Client Business ID already names at toapis, unless it failed: nothing new is submitted or paid',
					},
					{
						name: 'Submit a New One',
						value: 'submitNew',
						description: 'Always submit (and pay for) a new video',
					},
				],
				description:
					'Toapis, with a Client Business ID: what a re-run does when toapis already has a task with this ID (one free lookup per item first). Reuse It makes a re-run of a failed or crashed workflow pay only for the rows not yet made.',
			},
			{
				displayName: 'Number of Variants',
				name: 'n',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 1, maxValue: 4 },
				description: 'How many different variants to generate, 1 to 4 (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Private',
				name: 'private',
				type: 'boolean',
				default: false,
				description: 'Whether the video stays unpublished, so it cannot be remixed (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Size Name or ID',
				name: 'size',
				type: 'options',
				default: '',
				typeOptions: { loadOptionsMethod: 'getSizes', loadOptionsDependsOn: ['model.value'] },
				description:
					'OpenAI-compatible and Azure only: the exact size; with an Aspect Ratio set, it must match it. The choices follow the model; toapis takes no size. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				...soraOnly,
			},
			{
				displayName: 'Storyboard',
				name: 'storyboard',
				type: 'boolean',
				default: false,
				description: 'Whether to use a storyboard for finer control (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Style',
				name: 'style',
				type: 'options',
				default: 'anime',
				// sorted by name, as n8n's community rules ask (options-sorted-alphabetically)
				options: [...STYLES].sort().map((style) => ({
					name: style[0].toUpperCase() + style.slice(1),
					value: style,
				})),
				description: 'Visual style (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Thumbnail',
				name: 'thumbnail',
				type: 'boolean',
				default: false,
				description: 'Whether to also generate a thumbnail (toapis)',
				...soraOnly,
			},
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: `Whether to add the provider's watermark (toapis): Sora, and ${modelsTaking('watermark').join(', ')}`,
				displayOptions: {
					hide: {
						'/model': NO_WATERMARK_MODELS,
					},
				},
			},
			...familyFieldOptions(),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { operation: ['generate'] } },
	sortedCollections(properties),
);

export async function planItem(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
	const parameters = {
		...readVideoFields(ctx, client, itemIndex, 'generate'),
		imageUrls: ctx.getNodeParameter('imageUrls', itemIndex, ''),
		image: await readInputFile(
			ctx,
			itemIndex,
			'imageBinaryPropertyName',
			'Image From Binary Field',
		),
		additionalFields: ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject,
		resolution: readText(ctx, 'resolution', itemIndex),
		videoOperation: readText(ctx, 'videoOperation', itemIndex),
		media: await readMediaInputs(ctx, itemIndex),
	};
	return planVideo(ctx, client, itemIndex, parameters);
}
