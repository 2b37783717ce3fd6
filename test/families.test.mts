import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SAMPLE_MP4, startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor, itemWithBinary, makePng } from './harness/fixtures.mts';
import { readStored, runNode } from './harness/run-node.mts';

/** toapis' other video families through Sora Generate: exact wire bodies, refusals before any request, last frames. */

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 600 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
/** A model from an expression (a sheet, an AI agent): n8n then shows, and reads, every field, so the checks must hold. */
const expr = (value: string) => ({
	__rl: true,
	mode: 'id',
	value: `={{ ${JSON.stringify(value)} }}`,
});
const PROMPT = 'A lighthouse in a storm';
const img = (name: string) => `https://example.com/${name}.png`;
const vid = (name: string) => `https://example.com/${name}.mp4`;
const media = (...entries: Array<[string, string]>) => ({
	media: entries.map(([role, url]) => ({ role, url, binaryPropertyName: '' })),
});

async function generate(parameters: IDataObject, items = [{ json: {} }]) {
	return await runNode(SoraGenerate, {
		items,
		parameters: { prompt: PROMPT, ...parameters },
		credentials: credentialsFor(sim, 'toapis'),
	});
}

const posts = () => sim.requestsTo('api').filter((r) => r.method === 'POST');
/** A create body without the business id every new toapis video carries (the node's own here: checked, then left out) */
function documented(body: unknown): IDataObject {
	const { client_business_id: businessId, ...rest } = body as IDataObject;
	if (typeof businessId === 'string' && !businessId.startsWith('n8n-')) return body as IDataObject; // the user's own
	expect(businessId).toMatch(/^n8n-[\w-]+-r0-i0$/);
	return rest;
}

describe('every family: the exact body its toapis page documents', () => {
	const cases: Array<[string, IDataObject, IDataObject]> = [
		[
			'Seedance 2.5 edit, auto duration, adaptive, mov',
			{
				model: rl('seedance-2-5'),
				videoOperation: 'edit',
				duration: -1,
				aspectRatio: 'adaptive',
				resolution: '720p',
				mediaInputs: media(['reference_video', vid('source')]),
				additionalFields: { generateAudio: false, outputFormat: 'mov', traceId: 'trace-1' },
			},
			{
				model: 'seedance-2-5',
				prompt: PROMPT,
				video_operation: 'edit',
				duration: -1,
				aspect_ratio: 'adaptive',
				resolution: '720p',
				generate_audio: false,
				output_format: 'mov',
				trace_id: 'trace-1',
				video_with_roles: [{ url: vid('source'), role: 'reference_video' }],
			},
		],
		[
			'Seedance 2.5 extend by 10 s',
			{
				model: rl('seedance-2-5'),
				videoOperation: 'extend',
				duration: 10,
				mediaInputs: media(['reference_video', vid('source')]),
			},
			{
				model: 'seedance-2-5',
				prompt: PROMPT,
				video_operation: 'extend',
				duration: 10,
				video_with_roles: [{ url: vid('source'), role: 'reference_video' }],
			},
		],
		[
			'Seedance 2.5 audio-only reference',
			{
				model: rl('seedance-2-5'),
				duration: 30,
				mediaInputs: media(['reference_audio', 'https://example.com/voice.mp3']),
			},
			{
				model: 'seedance-2-5',
				prompt: PROMPT,
				duration: 30,
				audio_with_roles: [{ url: 'https://example.com/voice.mp3', role: 'reference_audio' }],
			},
		],
		[
			'Seedance 2 text-to-video with web search, 4k, seed, business id',
			{
				model: rl('seedance-2'),
				duration: 15,
				aspectRatio: '21:9',
				resolution: '4k',
				additionalFields: {
					webSearch: true,
					seed: 42,
					generateAudio: true,
					returnLastFrame: true,
					clientBusinessId: 'row-7',
				},
			},
			{
				model: 'seedance-2',
				prompt: PROMPT,
				duration: 15,
				aspect_ratio: '21:9',
				resolution: '4k',
				tools: [{ type: 'web_search' }],
				seed: 42,
				generate_audio: true,
				return_last_frame: true,
				client_business_id: 'row-7',
			},
		],
		[
			'Seedance 2 fast, reference images and a video',
			{
				model: rl('seedance-2-fast'),
				duration: -1,
				mediaInputs: media(
					['reference_image', img('a')],
					['reference_image', img('b')],
					['reference_video', vid('motion')],
				),
			},
			{
				model: 'seedance-2-fast',
				prompt: PROMPT,
				duration: -1,
				image_with_roles: [
					{ url: img('a'), role: 'reference_image' },
					{ url: img('b'), role: 'reference_image' },
				],
				video_with_roles: [{ url: vid('motion'), role: 'reference_video' }],
			},
		],
		[
			'Seedance 2 compatibility image_urls',
			{ model: rl('seedance-2-mini'), imageUrls: `${img('a')}, ${img('b')}` },
			{ model: 'seedance-2-mini', prompt: PROMPT, image_urls: [img('a'), img('b')] },
		],
		[
			'Kling v3 pro, first + last frame, audio, negative prompt and watermark in metadata',
			{
				model: rl('kling-v3'),
				duration: 12,
				aspectRatio: '1:1',
				resolution: 'pro',
				mediaInputs: media(['first_frame', img('first')], ['last_frame', img('last')]),
				additionalFields: { generateAudio: true, negativePrompt: 'blur', watermark: true },
			},
			{
				model: 'kling-v3',
				prompt: PROMPT,
				duration: 12,
				aspect_ratio: '1:1',
				mode: 'pro',
				audio: true,
				image_with_roles: [
					{ url: img('first'), role: 'first_frame' },
					{ url: img('last'), role: 'last_frame' },
				],
				metadata: { negative_prompt: 'blur', watermark: true },
			},
		],
		[
			'Kling v2.6 pro with audio, negative prompt top-level',
			{
				model: rl('kling-v2-6'),
				duration: 10,
				resolution: 'pro',
				mediaInputs: media(['reference_image', img('style')]),
				additionalFields: { generateAudio: true, negativePrompt: 'text', watermark: false },
			},
			{
				model: 'kling-v2-6',
				prompt: PROMPT,
				duration: 10,
				mode: 'pro',
				audio: true,
				negative_prompt: 'text',
				watermark: false,
				image_with_roles: [{ url: img('style'), role: 'reference_image' }],
			},
		],
		[
			'Veo 3.1 fast, first + last frame at 1080p',
			{
				model: rl('veo3.1-fast'),
				duration: 8,
				aspectRatio: '9:16',
				resolution: '1080p',
				mediaInputs: media(['first_frame', img('first')], ['last_frame', img('last')]),
			},
			{
				model: 'veo3.1-fast',
				prompt: PROMPT,
				duration: 8,
				aspect_ratio: '9:16',
				image_urls: [img('first'), img('last')],
				metadata: { generation_type: 'frame', resolution: '1080p' },
			},
		],
		[
			'Veo 3.1 lite, reference images, GIF at 720p',
			{
				model: rl('veo3.1-lite'),
				resolution: '720p',
				mediaInputs: media(
					['reference_image', img('a')],
					['reference_image', img('b')],
					['reference_image', img('c')],
				),
				additionalFields: { enableGif: true },
			},
			{
				model: 'veo3.1-lite',
				prompt: PROMPT,
				image_urls: [img('a'), img('b'), img('c')],
				metadata: { generation_type: 'reference', resolution: '720p', enable_gif: true },
			},
		],
		[
			'Veo 3.1 Official: size, camelCase metadata, last frame',
			{
				model: rl('Veo3.1-quality-official'),
				duration: 6,
				aspectRatio: '16:9',
				resolution: '1080p',
				mediaInputs: media(['first_frame', img('first')], ['last_frame', img('last')]),
				additionalFields: {
					generateAudio: true,
					negativePrompt: 'people',
					personGeneration: 'dont_allow',
					compressionQuality: 'lossless',
					resizeMode: 'crop',
				},
			},
			{
				model: 'Veo3.1-quality-official',
				prompt: PROMPT,
				duration: 6,
				size: '16:9',
				resolution: '1080p',
				image_urls: [img('first')],
				metadata: {
					lastFrame: img('last'),
					generateAudio: true,
					negativePrompt: 'people',
					personGeneration: 'dont_allow',
					compressionQuality: 'lossless',
					resizeMode: 'crop',
				},
			},
		],
		[
			'Veo 3.1 Official fast, reference images',
			{
				model: rl('Veo3.1-fast-official'),
				duration: 4,
				mediaInputs: media(['reference_image', img('a')], ['reference_image', img('b')]),
			},
			{
				model: 'Veo3.1-fast-official',
				prompt: PROMPT,
				duration: 4,
				metadata: { referenceImages: [img('a'), img('b')] },
			},
		],
		[
			'Grok 1.0: main image and references',
			{
				model: rl('grok-video-1.0'),
				duration: 10,
				aspectRatio: '3:2',
				resolution: '480p',
				mediaInputs: media(['first_frame', img('main')], ['reference_image', img('ref')]),
			},
			{
				model: 'grok-video-1.0',
				prompt: PROMPT,
				duration: 10,
				aspect_ratio: '3:2',
				resolution: '480p',
				image: img('main'),
				reference_images: [img('ref')],
			},
		],
		[
			'Grok 1.5: exactly one image',
			{ model: rl('grok-video-1.5'), duration: 15, imageUrls: img('main') },
			{ model: 'grok-video-1.5', prompt: PROMPT, duration: 15, image: img('main') },
		],
		[
			'Grok Imagine: quality, 20 s, images',
			{
				model: rl('grok-imagine-1.0-video'),
				duration: 20,
				resolution: '720p',
				aspectRatio: '2:3',
				imageUrls: img('a'),
			},
			{
				model: 'grok-imagine-1.0-video',
				prompt: PROMPT,
				duration: 20,
				quality: '720p',
				aspect_ratio: '2:3',
				image_urls: [img('a')],
			},
		],
		[
			'Wan 2.6 text-to-video with every field',
			{
				model: rl('wan2.6'),
				duration: 15,
				aspectRatio: '4:3',
				resolution: '1080p',
				additionalFields: {
					generateAudio: true,
					negativePrompt: 'rain',
					seed: 7,
					promptExtend: false,
					shotType: 'multi',
					watermark: false,
				},
			},
			{
				model: 'wan2.6',
				prompt: PROMPT,
				duration: 15,
				aspect_ratio: '4:3',
				resolution: '1080p',
				audio: true,
				negative_prompt: 'rain',
				seed: 7,
				prompt_extend: false,
				shot_type: 'multi',
				watermark: false,
			},
		],
		[
			'Wan 2.6 Flash from reference videos',
			{
				model: rl('wan2.6-flash'),
				duration: 5,
				resolution: '720p',
				mediaInputs: media(['reference_video', vid('a')], ['reference_video', vid('b')]),
			},
			{
				model: 'wan2.6-flash',
				prompt: PROMPT,
				duration: 5,
				resolution: '720p',
				metadata: { reference_urls: [vid('a'), vid('b')] },
			},
		],
		[
			'MiniMax Hailuo 2.3, image, options in metadata',
			{
				model: rl('MiniMax-Hailuo-2.3'),
				duration: 6,
				resolution: '1080P',
				imageUrls: img('first'),
				additionalFields: { promptOptimizer: false, fastPretreatment: true, watermark: true },
			},
			{
				model: 'MiniMax-Hailuo-2.3',
				prompt: PROMPT,
				duration: 6,
				resolution: '1080P',
				image_urls: [img('first')],
				metadata: { prompt_optimizer: false, fast_pretreatment: true, aigc_watermark: true },
			},
		],
		[
			'MiniMax Hailuo 02, first + last frame',
			{
				model: rl('MiniMax-Hailuo-02'),
				duration: 10,
				resolution: '768P',
				mediaInputs: media(['first_frame', img('first')], ['last_frame', img('last')]),
			},
			{
				model: 'MiniMax-Hailuo-02',
				prompt: PROMPT,
				duration: 10,
				resolution: '768P',
				image_urls: [img('first')],
				metadata: { last_frame_image: img('last') },
			},
		],
		[
			'MiniMax H3, references of every kind',
			{
				model: rl('MiniMax-H3'),
				duration: 8,
				aspectRatio: 'adaptive',
				resolution: '2K',
				mediaInputs: media(
					['reference_image', img('a')],
					['reference_video', vid('b')],
					['reference_audio', 'https://example.com/c.mp3'],
				),
				additionalFields: { watermark: true },
			},
			{
				model: 'MiniMax-H3',
				prompt: PROMPT,
				duration: 8,
				aspect_ratio: 'adaptive',
				resolution: '2K',
				watermark: true,
				image_with_roles: [{ url: img('a'), role: 'reference_image' }],
				video_with_roles: [{ url: vid('b'), role: 'reference_video' }],
				audio_with_roles: [{ url: 'https://example.com/c.mp3', role: 'reference_audio' }],
			},
		],
		[
			'Vidu Q3 pro, first + last frame, off-peak',
			{
				model: rl('viduq3-pro'),
				duration: 16,
				resolution: '1080p',
				aspectRatio: '21:9',
				mediaInputs: media(['first_frame', img('first')], ['last_frame', img('last')]),
				additionalFields: { generateAudio: true, audioType: 'speech_only', seed: 3, offPeak: true },
			},
			{
				model: 'viduq3-pro',
				prompt: PROMPT,
				duration: 16,
				resolution: '1080p',
				aspect_ratio: '21:9',
				image_urls: [img('first'), img('last')],
				audio: true,
				seed: 3,
				metadata: { audio_type: 'speech_only', off_peak: true },
			},
		],
		[
			'Vidu Q3 references',
			{ model: rl('viduq3'), duration: 3, imageUrls: `${img('a')}\n${img('b')}` },
			{ model: 'viduq3', prompt: PROMPT, duration: 3, image_urls: [img('a'), img('b')] },
		],
	];

	it.each(cases)('%s', async (_name, parameters, body) => {
		const result = await generate(parameters);
		expect(result.error).toBeUndefined();
		expect(posts()).toHaveLength(1);
		expect(posts()[0].path).toBe('/v1/videos/generations');
		expect(documented(posts()[0].body)).toEqual(body);
		expect(sim.violations).toEqual([]);
		expect(result.output![0].json).toMatchObject({ status: 'queued', model: body.model });
	});

	it('Grok 1.0 extend: POST /v1/videos/{id}/extend with model and prompt only', async () => {
		const source = sim.createTask('toapis', 'video', {}, 'grok-video-1.0');
		const result = await generate({
			operation: 'extend',
			videoId: source.id,
			model: rl('grok-video-1.0'),
			prompt: 'The storm clears',
		});
		expect(result.error).toBeUndefined();
		expect(posts().map((p) => [p.path, p.body])).toEqual([
			[`/v1/videos/${source.id}/extend`, { model: 'grok-video-1.0', prompt: 'The storm clears' }],
		]);
		expect(sim.violations).toEqual([]);
		expect(result.output![0].json.id).not.toBe(source.id);
	});

	it('Grok 1.0 remix: model, prompt and aspect ratio, no duration', async () => {
		const source = sim.createTask('toapis', 'video', {}, 'grok-video-1.0');
		const result = await generate({
			operation: 'remix',
			videoId: source.id,
			model: rl('grok-video-1.0'),
			aspectRatio: '9:16',
		});
		expect(result.error).toBeUndefined();
		expect(posts().map((p) => [p.path, p.body])).toEqual([
			[
				`/v1/videos/${source.id}/remix`,
				{ model: 'grok-video-1.0', prompt: PROMPT, aspect_ratio: '9:16' },
			],
		]);
		expect(sim.violations).toEqual([]);
	});

	it('Extra Body Fields are merged (metadata key by key) for fields the table does not know yet', async () => {
		const result = await generate({
			model: rl('veo3.1-fast'),
			resolution: '720p',
			additionalFields: { extraBody: '{"metadata": {"enable_gif": false}}' },
		});
		expect(result.error).toBeUndefined();
		expect(documented(posts()[0].body)).toEqual({
			model: 'veo3.1-fast',
			prompt: PROMPT,
			metadata: { resolution: '720p', enable_gif: false },
		});
	});

	it('the simulator holds every family to its page: a wrong body is a 400 and a recorded violation', async () => {
		const send = async (body: IDataObject) =>
			await fetch(`${sim.url}/v1/videos/generations`, {
				method: 'POST',
				headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		expect((await send({ model: 'seedance-2-5', prompt: 'p', resolution: '1080p' })).status).toBe(
			400,
		);
		expect((await send({ model: 'kling-v3', prompt: 'p', duration: 20 })).status).toBe(400);
		expect(
			(
				await send({
					model: 'veo3.1-quality',
					prompt: 'p',
					image_urls: [img('a')],
					metadata: { generation_type: 'reference' },
				})
			).status,
		).toBe(400);
		expect((await send({ model: 'grok-video-1.5', prompt: 'p' })).status).toBe(400);
		expect((await send({ model: 'wan2.6', prompt: 'p', unknown_field: 1 })).status).toBe(400);
		expect(sim.violations).toHaveLength(5);
	});
});

describe('refused before any request: wrong combinations per family', () => {
	const refusals: Array<[string, IDataObject, RegExp]> = [
		// Seedance 2.5
		[
			'seedance-2-5: 31 s',
			{ model: rl('seedance-2-5'), duration: 31 },
			/^Duration is 31, but seedance-2-5 allows 4 to 30 s, or -1 \(auto\)/,
		],
		[
			'seedance-2-5: 1080p',
			{ model: rl('seedance-2-5'), resolution: '1080p' },
			/^Resolution is "1080p", but seedance-2-5 allows 480p or 720p/,
		],
		[
			'seedance-2-5: edit without a video',
			{
				model: rl('seedance-2-5'),
				videoOperation: 'edit',
				mediaInputs: media(['reference_image', img('a')]),
			},
			/^Video Operation is "edit", but edit needs at least one reference video/,
		],
		[
			'seedance-2-5: extend without a duration',
			{
				model: rl('seedance-2-5'),
				videoOperation: 'extend',
				mediaInputs: media(['reference_video', vid('a')]),
			},
			/^Duration is "Provider Default", but extend needs a positive duration/,
		],
		[
			'seedance-2-5: first + last frame at 21:9',
			{
				model: rl('seedance-2-5'),
				aspectRatio: '21:9',
				mediaInputs: media(['first_frame', img('a')], ['last_frame', img('b')]),
			},
			/^Aspect Ratio is "21:9", but first \+ last frame on seedance-2-5 takes the aspect ratio "adaptive"/,
		],
		[
			'seedance-2-5: seed is not documented',
			{ model: expr('seedance-2-5'), additionalFields: { seed: 1 } },
			/^Seed is 1, but seedance-2-5 does not take Seed; it is for Seedance 2 \(seedance-2, seedance-2-fast, seedance-2-mini\), Wan 2.6 \(wan2.6\), Vidu Q3/,
		],
		// Seedance 2
		[
			'seedance-2-mini: auto duration',
			{ model: rl('seedance-2-mini'), duration: -1 },
			/^Duration is -1, but seedance-2-mini allows 4 to 15 s$/,
		],
		[
			'seedance-2-fast: 4k',
			{ model: rl('seedance-2-fast'), resolution: '4k' },
			/^Resolution is "4k", but seedance-2-fast allows 480p or 720p/,
		],
		[
			'seedance-2: audio alone',
			{
				model: rl('seedance-2'),
				mediaInputs: media(['reference_audio', 'https://example.com/a.mp3']),
			},
			/seedance-2 takes reference audio only together with at least one image or video/,
		],
		[
			'seedance-2: web search with an image',
			{ model: rl('seedance-2'), imageUrls: img('a'), additionalFields: { webSearch: true } },
			/^Web Search is true, but seedance-2 searches the web only for text-to-video/,
		],
		[
			'seedance-2: frames and references',
			{
				model: rl('seedance-2'),
				mediaInputs: media(['first_frame', img('a')], ['reference_image', img('b')]),
			},
			/seedance-2 takes either frames \(first\/last\) or references, not both/,
		],
		// Kling
		[
			'kling-v3: 20 s',
			{ model: rl('kling-v3'), duration: 20 },
			/^Duration is 20, but kling-v3 allows 3 to 15 s/,
		],
		[
			'kling-v3: 21:9',
			{ model: rl('kling-v3'), aspectRatio: '21:9' },
			/^Aspect Ratio is "21:9", but kling-v3 allows 16:9, 9:16 or 1:1/,
		],
		[
			'kling-v2-6: audio in std mode',
			{ model: rl('kling-v2-6'), resolution: 'std', additionalFields: { generateAudio: true } },
			/kling-v2-6 makes audio only in pro mode/,
		],
		[
			'kling-v3: a reference video',
			{ model: rl('kling-v3'), mediaInputs: media(['reference_video', vid('a')]) },
			/^Media is "Media 1: Reference Video", but kling-v3 takes no reference video/,
		],
		[
			'kling-v3: a Sora field',
			{ model: expr('kling-v3'), additionalFields: { style: 'anime' } },
			/^Style is "anime", but it is a Sora field, and kling-v3 is Kling v3/,
		],
		[
			'kling-v3: plain Image URLs',
			{ model: expr('kling-v3'), imageUrls: img('a') },
			/kling-v3 takes images with a role only/,
		],
		// Veo
		[
			'veo3.1-fast: 6 s',
			{ model: rl('veo3.1-fast'), duration: 6 },
			/^Duration is 6, but veo3.1-fast allows 8 s/,
		],
		[
			'veo3.1-quality: reference images',
			{ model: rl('veo3.1-quality'), mediaInputs: media(['reference_image', img('a')]) },
			/veo3.1-quality takes no reference image/,
		],
		[
			'veo3.1-fast: GIF at 1080p',
			{ model: rl('veo3.1-fast'), resolution: '1080p', additionalFields: { enableGif: true } },
			/GIF output is not available at 1080p/,
		],
		[
			'Veo3.1-quality-official: first frame and references',
			{
				model: rl('Veo3.1-quality-official'),
				mediaInputs: media(['first_frame', img('a')], ['reference_image', img('b')]),
			},
			/ignores reference images when a first frame is given/,
		],
		[
			'Veo3.1-lite-official: 4k',
			{ model: rl('Veo3.1-lite-official'), resolution: '4k' },
			/^Resolution is "4k", but Veo3.1-lite-official allows 720p/,
		],
		// Grok
		[
			'grok-video-1.5: no image',
			{ model: rl('grok-video-1.5') },
			/grok-video-1.5 needs exactly one first-frame image/,
		],
		[
			'grok-imagine-1.0-video: 5 s',
			{ model: rl('grok-imagine-1.0-video'), duration: 5 },
			/^Duration is 5, but grok-imagine-1.0-video allows 6 to 30 s/,
		],
		[
			'grok-video-1.0: 21:9',
			{ model: rl('grok-video-1.0'), aspectRatio: '21:9' },
			/but grok-video-1.0 allows 16:9, 9:16, 3:2, 2:3 or 1:1/,
		],
		[
			'grok-video-1.0: extend with a duration',
			{ operation: 'extend', videoId: 'task_123', model: rl('grok-video-1.0'), duration: 10 },
			/^Duration is 10, but an extend on grok-video-1.0 takes no duration/,
		],
		[
			'grok-video-1.5: remix',
			{ operation: 'remix', videoId: 'task_123', model: rl('grok-video-1.5') },
			/^Remix is not available for grok-video-1.5/,
		],
		// Wan
		[
			'wan2.6: 8 s',
			{ model: rl('wan2.6'), duration: 8 },
			/^Duration is 8, but wan2.6 allows 5 s, 10 s or 15 s/,
		],
		[
			'wan2.6-flash: no media',
			{ model: rl('wan2.6-flash') },
			/wan2.6-flash needs an image or reference videos/,
		],
		[
			'wan2.6: image with an aspect ratio',
			{ model: rl('wan2.6'), aspectRatio: '16:9', imageUrls: img('a') },
			/image-to-video follows the image|wan2.6 takes an aspect ratio for text-to-video and reference videos only/,
		],
		[
			'wan2.6-flash: a seed',
			{ model: expr('wan2.6-flash'), imageUrls: img('a'), additionalFields: { seed: 3 } },
			/^Seed is 3, but wan2.6-flash does not take Seed/,
		],
		// MiniMax
		[
			'MiniMax-Hailuo-2.3: 1080P at 10 s',
			{ model: rl('MiniMax-Hailuo-2.3'), resolution: '1080P', duration: 10 },
			/MiniMax-Hailuo-2.3 makes 1080P videos of 6 s only/,
		],
		[
			'MiniMax-Hailuo-2.3-Fast: no image',
			{ model: rl('MiniMax-Hailuo-2.3-Fast') },
			/image-to-video only: it needs a first-frame image/,
		],
		[
			'MiniMax-Hailuo-2.3: an aspect ratio',
			{ model: expr('MiniMax-Hailuo-2.3'), aspectRatio: '16:9' },
			/MiniMax-Hailuo-2.3 takes no aspect ratio/,
		],
		[
			'MiniMax-H3: audio alone',
			{
				model: rl('MiniMax-H3'),
				mediaInputs: media(['reference_audio', 'https://example.com/a.mp3']),
			},
			/MiniMax-H3 takes reference audio only with a reference image or video/,
		],
		[
			'MiniMax-H3: adaptive text-to-video',
			{ model: rl('MiniMax-H3'), aspectRatio: 'adaptive' },
			/MiniMax-H3 text-to-video needs a fixed aspect ratio/,
		],
		[
			'MiniMax-Hailuo-02: prompt over 2,000 characters',
			{ model: rl('MiniMax-Hailuo-02'), prompt: 'x'.repeat(2001) },
			/^Prompt has 2001 characters, but MiniMax-Hailuo-02 takes at most 2000/,
		],
		// Vidu
		['viduq3: no reference image', { model: rl('viduq3') }, /viduq3 needs 1 to 7 reference images/],
		[
			'viduq3-turbo: 17 s',
			{ model: rl('viduq3-turbo'), duration: 17 },
			/^Duration is 17, but viduq3-turbo allows 1 to 16 s/,
		],
		[
			'viduq3-pro: last frame alone',
			{ model: rl('viduq3-pro'), mediaInputs: media(['last_frame', img('a')]) },
			/viduq3-pro takes a last frame only together with a first frame/,
		],
		[
			'viduq3-pro: audio type with audio off',
			{ model: rl('viduq3-pro'), additionalFields: { generateAudio: false, audioType: 'all' } },
			/Audio Type applies only when audio is on/,
		],
		// across families
		[
			'sora-2: a family field',
			{ model: expr('sora-2'), duration: 10, additionalFields: { generateAudio: true } },
			/^Generate Audio is true, but sora-2 does not take Generate Audio; it is for Seedance 2/,
		],
		[
			'Extra Body Fields that are not a JSON object',
			{ model: rl('kling-v3'), additionalFields: { extraBody: '[1, 2]' } },
			/^Extra Body Fields \(JSON\) is "\[1, 2\]", but it must be a JSON object/,
		],
		[
			'Extra Body Fields overriding a node field',
			{
				model: rl('kling-v3'),
				duration: 5,
				additionalFields: { extraBody: '{"duration": 10, "metadata": {"x": 1}}' },
			},
			/^Extra Body Fields \(JSON\) is .*but the node already sets "duration" in this request/,
		],
		[
			'Extra Body Fields overriding a metadata field',
			{
				model: rl('veo3.1-fast'),
				resolution: '4k',
				additionalFields: { extraBody: '{"metadata": {"resolution": "720p"}}' },
			},
			/the node already sets "metadata.resolution"/,
		],
		[
			'Extra Body Fields on Sora overriding duration',
			{ model: rl('sora-2'), duration: 10, additionalFields: { extraBody: { duration: 15 } } },
			/the node already sets "duration"/,
		],
	];

	it.each(refusals)('%s', async (_name, parameters, message) => {
		const result = await generate(parameters);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/\(field "[^"]+"\)$/);
		expect(sim.requests).toHaveLength(0);
	});

	it('with a fixed model, n8n hides (and does not read) the fields the model does not take: nothing wrong is sent', async () => {
		const result = await generate({
			model: rl('kling-v3'),
			duration: 5,
			imageUrls: img('a'),
			additionalFields: { style: 'anime', seed: 3 },
		});
		expect(result.error).toBeUndefined();
		expect(documented(posts()[0].body)).toEqual({ model: 'kling-v3', prompt: PROMPT, duration: 5 });
		expect(sim.violations).toEqual([]);
	});

	it('at least three refusals per family', () => {
		const families = [
			'seedance-2-5',
			'seedance-2',
			'kling',
			'veo',
			'grok',
			'wan',
			'MiniMax',
			'vidu',
		];
		for (const family of families)
			expect(
				refusals.filter(([name]) => name.toLowerCase().startsWith(family.toLowerCase())).length,
				family,
			).toBeGreaterThanOrEqual(3);
	});
});

describe('Seedance 2.5 from a binary first frame, with audio and the last frame, waited for and downloaded', () => {
	it('12 s at 21:9: uploads the image, sends the documented body, and yields the MP4 and the last frame PNG', async () => {
		const png = makePng(1280, 548);
		const result = await runNode(SoraGenerate, {
			items: [itemWithBinary('data', png, 'image/png', 'first.png')],
			parameters: {
				prompt: PROMPT,
				model: rl('seedance-2-5'),
				duration: 12,
				aspectRatio: '21:9',
				mediaInputs: { media: [{ role: 'first_frame', url: '', binaryPropertyName: 'data' }] },
				additionalFields: { generateAudio: true, returnLastFrame: true },
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 60,
				downloadVideo: true,
			},
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		const [upload, create] = posts();
		expect(upload.path).toBe('/v1/uploads/images');
		const uploadedUrl = (sim.requestsTo('api').length,
		(create.body as IDataObject).image_with_roles as IDataObject[])[0].url;
		expect(uploadedUrl).toMatch(new RegExp(`^${sim.cdnUrl}/uploads/upload_[0-9a-f]+\\.png$`));
		expect(documented(create.body)).toEqual({
			model: 'seedance-2-5',
			prompt: PROMPT,
			duration: 12,
			aspect_ratio: '21:9',
			generate_audio: true,
			return_last_frame: true,
			image_with_roles: [{ url: uploadedUrl, role: 'first_frame' }],
		});
		expect(sim.violations).toEqual([]);
		const item = result.output![0];
		expect(item.json).toMatchObject({
			status: 'completed',
			model: 'seedance-2-5',
			lastFrameUrl: expect.stringMatching(/\/frames\/.+\.png$/),
		});
		expect(readStored(result, item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		expect(item.binary!.lastFrame).toMatchObject({
			mimeType: 'image/png',
			fileName: `${item.json.id}-last-frame.png`,
		});
		expect(readStored(result, item.binary!.lastFrame).subarray(0, 8).toString('hex')).toBe(
			'89504e470d0a1a0a',
		);
		expect(sim.leaks).toEqual([]);
	});
});

describe('mixed families in one execution keep pacing and pipelining', () => {
	it("six items on six models: each submitted once at the bucket's pace, followed while later ones are submitted", async () => {
		const models = ['seedance-2-5', 'kling-v3', 'veo3.1-fast', 'sora-2', 'wan2.6', 'viduq3-pro'];
		const durations = [8, 5, 8, 10, 5, 4];
		sim.setRateLimit({ submitPerSecond: 3, submitBurst: 2, queryPerSecond: 50, queryBurst: 500 });
		try {
			const result = await runNode(SoraGenerate, {
				items: models.map((model) => ({ json: { model } })),
				parameters: (i) => ({
					model: rl(models[i]),
					duration: durations[i],
					prompt: `Item ${i} [sim:ms=300]`,
					waitForCompletion: true,
					pollInterval: 1,
					maxWaitTime: 30,
				}),
				credentials: credentialsFor(sim, 'toapis'),
			});
			expect(result.error).toBeUndefined();
			expect(result.output!.map((o) => [o.json.model, o.json.status])).toEqual(
				models.map((m) => [m, 'completed']),
			);
			expect(result.output!.map((o) => o.pairedItem)).toEqual(models.map((_, item) => ({ item })));
			expect(sim.submissions.map((s) => (s.body as IDataObject).model).sort()).toEqual(
				[...models].sort(),
			);
			expect(sim.violations).toEqual([]);
			expect(sim.rateLimited).toBeLessThanOrEqual(1);
			const submits = sim
				.requestsTo('api')
				.filter((r) => r.method === 'POST' && r.status === 200)
				.map((r) => r.at);
			// after the burst of 2, one submit per refill (333 ms): the pace of the bucket, whatever the model
			expect(submits.at(-1)! - submits[0]).toBeGreaterThanOrEqual(1000);
			const firstRead = sim.requestsTo('api').find((r) => r.method === 'GET')!.at;
			expect(firstRead).toBeLessThan(submits.at(-1)!);
		} finally {
			sim.setRateLimit(undefined);
		}
	});
});
