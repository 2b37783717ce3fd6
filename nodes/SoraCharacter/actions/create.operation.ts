import { updateDisplayOptions, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import { modelLocator } from '../../shared/parameters/descriptions';
import { readInputFile, readText, readWaiting } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { validateCharacterRequest } from '../../shared/rules/character';
import { NO_DOWNLOADS } from '../../shared/tasks/follow';

/** Create: a reusable character taken from a video (a URL, an earlier task, or a file uploaded first). */

const properties: INodeProperties[] = [
	modelLocator('searchCharacterModels'),
	{
		displayName: 'Timestamps',
		name: 'timestamps',
		type: 'string',
		default: '1,3',
		required: true,
		placeholder: '1,3',
		description:
			'"start,end" in seconds where the character is clearly visible: at least 1 s, at most 3 s',
	},
	{
		displayName: 'Video URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/my-character.mp4',
		description:
			'Public http(s) URL of a video with audio and an identifiable character. Set exactly one video source.',
	},
	{
		displayName: 'From Task',
		name: 'fromTask',
		type: 'string',
		default: '',
		placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
		description:
			'ID of an earlier Sora Generate task to take the character from. Set exactly one video source.',
	},
	{
		displayName: 'Video From Binary Field',
		name: 'videoBinaryPropertyName',
		type: 'string',
		default: '',
		placeholder: 'data',
		description:
			'Name of an input binary field holding the video (MP4, WebM or MOV, up to 50 MB); it is uploaded for you. Set exactly one video source.',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		placeholder: 'A cheerful corgi in a red scarf',
		description:
			'Optional, sent only when set. Toapis says character creation needs no prompt and does not document what one changes.',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['create'] } }, properties);

export async function planItem(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
	const request = validateCharacterRequest(ctx.getNode(), itemIndex, {
		model: readText(ctx, 'model', itemIndex, { extractValue: true }),
		timestamps: readText(ctx, 'timestamps', itemIndex),
		url: readText(ctx, 'url', itemIndex),
		fromTask: readText(ctx, 'fromTask', itemIndex),
		prompt: readText(ctx, 'prompt', itemIndex),
		video: await readInputFile(
			ctx,
			itemIndex,
			'videoBinaryPropertyName',
			'Video From Binary Field',
		),
	});
	const { adapter } = client;
	const video = request.video;
	return {
		submit: {
			kind: 'character',
			request: { character: request },
			uploads: video ? [{ what: 'video', call: () => adapter.uploadVideo!(video) }] : [],
			create: ([uploadedUrl]) =>
				adapter.createCharacter!({ ...request, video: undefined, url: uploadedUrl ?? request.url }),
			// toapis answers a character create with little more than the id: the new task is read once for its full shape.
			answerIsTask: false,
		},
		waiting: readWaiting(ctx, itemIndex),
		downloads: NO_DOWNLOADS,
	};
}
