import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import {
	SAMPLE_MP4,
	startSimulator,
	type Flavor,
	type SoraSimulator,
} from '../simulator/server.mts';
import {
	allText,
	credentialsFor,
	finishNow,
	itemWithBinary,
	makePng,
} from './harness/fixtures.mts';
import { readStored, runNode } from './harness/run-node.mts';
import { loggedSubmission } from './harness/wait.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 1200 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });

async function generate(
	flavor: Flavor,
	parameters: IDataObject,
	extra: Partial<Parameters<typeof runNode>[1]> = {},
) {
	return await runNode(SoraGenerate, {
		parameters: { prompt: 'A cat surfing a wave', ...parameters },
		credentials: credentialsFor(sim, flavor),
		...extra,
	});
}

function submitted() {
	return sim.requestsTo('api').filter((r) => r.method === 'POST');
}

const allToapisMetadata = {
	thumbnail: true,
	n: 2,
	watermark: true,
	private: true,
	style: 'anime',
	storyboard: true,
	characterUrl: 'https://example.com/character.mp4',
	characterTimestamps: '1,3',
	characterCreate: true,
	characterFromTask: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
};
const allToapisMetadataWire = {
	n: 2,
	watermark: true,
	private: true,
	style: 'anime',
	storyboard: true,
	character_url: 'https://example.com/character.mp4',
	character_timestamps: '1,3',
	character_create: true,
	character_from_task: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
};

describe('Sora Generate: what goes over the wire, per model and flavor', () => {
	const cases: Array<[string, Flavor, IDataObject, unknown]> = [
		[
			'toapis sora-2, every metadata field',
			'toapis',
			{
				model: rl('sora-2'),
				duration: 15,
				aspectRatio: '16:9',
				imageUrls: 'https://example.com/a.jpg, https://example.com/b.png',
				additionalFields: allToapisMetadata,
			},
			{
				model: 'sora-2',
				prompt: 'A cat surfing a wave',
				duration: 15,
				aspect_ratio: '16:9',
				image_urls: ['https://example.com/a.jpg', 'https://example.com/b.png'],
				thumbnail: true,
				metadata: allToapisMetadataWire,
			},
		],
		[
			'toapis sora-2-pro HD at 15 s',
			'toapis',
			{
				model: rl('sora-2-pro'),
				duration: 15,
				aspectRatio: '9:16',
				additionalFields: { hd: true },
			},
			{
				model: 'sora-2-pro',
				prompt: 'A cat surfing a wave',
				duration: 15,
				aspect_ratio: '9:16',
				metadata: { hd: true },
			},
		],
		[
			'toapis sora-2-pro 25 s',
			'toapis',
			{ model: rl('sora-2-pro'), duration: 25 },
			{ model: 'sora-2-pro', prompt: 'A cat surfing a wave', duration: 25 },
		],
		[
			'toapis sora-2-vip, provider defaults',
			'toapis',
			{ model: rl('sora-2-vip') },
			{ model: 'sora-2-vip', prompt: 'A cat surfing a wave' },
		],
		[
			'toapis sora-2-vvip 12 s with style',
			'toapis',
			{
				model: rl('sora-2-vvip'),
				duration: 12,
				aspectRatio: '9:16',
				additionalFields: { style: 'comic', n: 4 },
			},
			{
				model: 'sora-2-vvip',
				prompt: 'A cat surfing a wave',
				duration: 12,
				aspect_ratio: '9:16',
				metadata: { style: 'comic', n: 4 },
			},
		],
		[
			'toapis sora-2-official, one image',
			'toapis',
			{
				model: rl('sora-2-official'),
				duration: 8,
				aspectRatio: '16:9',
				imageUrls: 'https://example.com/frame.png',
			},
			{
				model: 'sora-2-official',
				prompt: 'A cat surfing a wave',
				duration: 8,
				aspect_ratio: '16:9',
				image_urls: ['https://example.com/frame.png'],
			},
		],
		[
			'toapis, a model the table does not know',
			'toapis',
			{ model: { __rl: true, mode: 'id', value: 'sora-3-preview' }, duration: 20 },
			{ model: 'sora-3-preview', prompt: 'A cat surfing a wave', duration: 20 },
		],
		[
			'OpenAI-compatible sora-2 8 s 16:9',
			'openaiCompatible',
			{ model: rl('sora-2'), duration: 8, aspectRatio: '16:9' },
			{ model: 'sora-2', prompt: 'A cat surfing a wave', seconds: '8', size: '1280x720' },
		],
		[
			'OpenAI-compatible sora-2-pro 1792x1024',
			'openaiCompatible',
			{ model: rl('sora-2-pro'), duration: 12, additionalFields: { size: '1792x1024' } },
			{ model: 'sora-2-pro', prompt: 'A cat surfing a wave', seconds: '12', size: '1792x1024' },
		],
		[
			'OpenAI-compatible, unknown model',
			'openaiCompatible',
			{ model: { __rl: true, mode: 'id', value: 'sora-2-2025-12-08' }, duration: 16 },
			{ model: 'sora-2-2025-12-08', prompt: 'A cat surfing a wave', seconds: '16' },
		],
		[
			'Azure, deployment name, 4 s portrait',
			'azure',
			{
				model: { __rl: true, mode: 'id', value: 'my-sora-deployment' },
				duration: 4,
				aspectRatio: '9:16',
			},
			{
				model: 'my-sora-deployment',
				prompt: 'A cat surfing a wave',
				seconds: '4',
				size: '720x1280',
			},
		],
	];

	it.each(cases)('%s', async (_name, flavor, parameters, body) => {
		// the simulator, like toapis, only takes character_from_task ids of tasks it knows
		const fromTask = 'video_01K8SGYNNNVBQTXNR4MM964S7K';
		sim.tasks.set(fromTask, { ...sim.createTask('toapis', 'video'), id: fromTask });
		const result = await generate(flavor, parameters);
		expect(result.error).toBeUndefined();
		const posts = submitted();
		expect(posts).toHaveLength(1);
		// toapis: every new video carries a business id, the node's own when the user sets none (lost answers are looked up by it)
		const { client_business_id: businessId, ...rest } = posts[0].body as IDataObject;
		expect(flavor === 'toapis' ? rest : posts[0].body).toEqual(body);
		if (flavor === 'toapis') expect(businessId).toMatch(/^n8n-[\w-]+-r0-i0$/);
		else expect(businessId).toBeUndefined();
		expect(sim.violations).toEqual([]);
		const json = result.output![0].json;
		expect(json.id).toMatch(/^video_/);
		expect(json.status).toBe('queued');
		expect((json.raw as IDataObject).id).toBe(json.id);
		expect(posts[0].path).toBe(
			flavor === 'toapis'
				? '/v1/videos/generations'
				: flavor === 'azure'
					? '/openai/v1/videos'
					: '/v1/videos',
		);
	});
});

describe('Sora Generate: refused before any request', () => {
	it('with Continue On Fail, an invalid item becomes an error item and the valid one is generated', async () => {
		const result = await runNode(SoraGenerate, {
			items: [{ json: { d: 12 } }, { json: { d: 10 } }],
			parameters: (i) => ({ prompt: 'A cat', model: rl('sora-2'), duration: i === 0 ? 12 : 10 }),
			credentials: credentialsFor(sim, 'toapis'),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json.error).toMatchObject({
			message: expect.stringMatching(/Duration is 12/),
		});
		expect(result.output![1].json.status).toBe('queued');
		expect(result.output!.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(submitted()).toHaveLength(1);
	});

	it('refuses a binary field that does not exist, naming the fields there are', async () => {
		const result = await runNode(SoraGenerate, {
			items: [itemWithBinary('photo', makePng(32, 32), 'image/png', 'p.png')],
			parameters: { prompt: 'A cat', imageBinaryPropertyName: 'image' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error?.message).toMatch(
			/Image From Binary Field is "image", but the item has no such binary field/,
		);
		expect(result.error?.description).toMatch(/photo/);
		expect(sim.requests).toHaveLength(0);
	});

	it('refuses a binary that is not an image, and one over 10 MB', async () => {
		const notImage = await runNode(SoraGenerate, {
			items: [itemWithBinary('data', Buffer.from('%PDF-1.7 not an image'), 'image/png', 'doc.png')],
			parameters: { prompt: 'A cat', imageBinaryPropertyName: 'data' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(notImage.error?.message).toMatch(/is not an image \(image\/png\)/);
		const big = Buffer.concat([makePng(64, 64), Buffer.alloc(11 * 1024 * 1024)]);
		const tooBig = await runNode(SoraGenerate, {
			items: [itemWithBinary('data', big, 'image/png', 'big.png')],
			parameters: { prompt: 'A cat', imageBinaryPropertyName: 'data' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(tooBig.error?.message).toMatch(/is 11.0 MB; uploads are limited to 10 MB/);
		expect(sim.requests).toHaveLength(0);
	});

	it.each([
		['toapis', { model: rl('sora-2-official'), aspectRatio: '16:9' }],
		['azure', { model: { mode: 'id', value: 'dep' }, aspectRatio: '16:9' }],
	] as const)('%s: refuses a reference image of the wrong size', async (flavor, parameters) => {
		const result = await runNode(SoraGenerate, {
			items: [itemWithBinary('data', makePng(640, 480), 'image/png', 'small.png')],
			parameters: { prompt: 'A cat', imageBinaryPropertyName: 'data', ...parameters },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error?.message).toMatch(
			/The reference image is 640x480, but .* needs exactly 1280x720/,
		);
		expect(sim.requests).toHaveLength(0);
	});
});

describe('Sora Generate: images from binary data', () => {
	it('toapis: uploads the image, then sends its URL in image_urls', async () => {
		const png = makePng(1280, 720);
		const result = await runNode(SoraGenerate, {
			items: [itemWithBinary('photo', png, 'image/png', 'frame.png')],
			parameters: { prompt: 'A cat', model: rl('sora-2'), imageBinaryPropertyName: 'photo' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		const [upload, create] = submitted();
		expect(upload.path).toBe('/v1/uploads/images');
		expect(
			(upload.body as { file: { fileName: string; size: number; type: string } }).file,
		).toMatchObject({ fileName: 'frame.png', size: png.length, type: 'image/png' });
		expect((create.body as { image_urls: string[] }).image_urls).toEqual([
			expect.stringMatching(new RegExp(`^${sim.cdnUrl}/uploads/upload_\\w+\\.png$`)),
		]);
		expect(sim.violations).toEqual([]);
		expect(sim.uploads.size).toBe(1);
	});

	it.each(['openaiCompatible', 'azure'] as const)(
		'%s: sends the image as the input_reference file',
		async (flavor) => {
			const png = makePng(720, 1280);
			const result = await runNode(SoraGenerate, {
				items: [itemWithBinary('data', png, 'image/png', 'portrait.png')],
				parameters: {
					prompt: 'A cat',
					model: flavor === 'azure' ? { mode: 'id', value: 'dep' } : rl('sora-2'),
					duration: 4,
					aspectRatio: '9:16',
					imageBinaryPropertyName: 'data',
				},
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error).toBeUndefined();
			const posts = submitted();
			expect(posts).toHaveLength(1);
			expect(posts[0].headers['content-type']).toMatch(/^multipart\/form-data/);
			expect(posts[0].body).toMatchObject({
				prompt: 'A cat',
				seconds: '4',
				size: '720x1280',
				input_reference: { fileName: 'portrait.png', size: png.length, type: 'image/png' },
			});
			expect(sim.violations).toEqual([]);
		},
	);
});

describe('Sora Generate: remix', () => {
	it('toapis: remixes with model, prompt, duration and aspect ratio', async () => {
		const source = sim.createTask('toapis', 'video', { durationMs: 0 });
		const result = await generate('toapis', {
			operation: 'remix',
			videoId: source.id,
			model: rl('sora-2-pro'),
			prompt: 'Now at night',
			duration: 15,
			aspectRatio: '16:9',
		});
		expect(result.error).toBeUndefined();
		const [post] = submitted();
		expect(post.path).toBe(`/v1/videos/${source.id}/remix`);
		expect(post.body).toEqual({
			model: 'sora-2-pro',
			prompt: 'Now at night',
			duration: 15,
			aspect_ratio: '16:9',
		});
		expect(result.output![0].json.id).not.toBe(source.id);
		expect(sim.violations).toEqual([]);
	});

	it('toapis sora-2-official: remixes with model and prompt only', async () => {
		const source = sim.createTask('toapis', 'video', { durationMs: 0 }, 'sora-2-official');
		const result = await generate('toapis', {
			operation: 'remix',
			videoId: source.id,
			model: rl('sora-2-official'),
			prompt: 'Now at night',
		});
		expect(result.error).toBeUndefined();
		expect(submitted()[0].body).toEqual({ model: 'sora-2-official', prompt: 'Now at night' });
		expect(sim.violations).toEqual([]);
	});

	it.each(['openaiCompatible', 'azure'] as const)(
		'%s: POST /videos/{id}/remix with the prompt',
		async (flavor) => {
			const source = sim.createTask(flavor, 'video', { durationMs: 0 });
			const result = await generate(flavor, {
				operation: 'remix',
				videoId: source.id,
				model: { mode: 'id', value: 'sora-2' },
				prompt: 'Now at night',
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 20,
				downloadVideo: true,
			});
			expect(result.error).toBeUndefined();
			const [post] = submitted();
			expect(post.path).toBe(`${flavor === 'azure' ? '/openai' : ''}/v1/videos/${source.id}/remix`);
			expect(post.body).toEqual({ prompt: 'Now at night' });
			expect(result.output![0].json).toMatchObject({ status: 'completed' });
			expect((result.output![0].json.raw as IDataObject).remixed_from_video_id).toBe(source.id);
			expect(readStored(result, result.output![0].binary!.data).equals(SAMPLE_MP4)).toBe(true);
		},
	);
});

describe('Sora Generate: waiting, and never losing paid work', () => {
	it.each(['toapis', 'openaiCompatible', 'azure'] as const)(
		'%s: waits and downloads the video as a file',
		async (flavor) => {
			const result = await generate(flavor, {
				model:
					flavor === 'azure'
						? { mode: 'id', value: 'dep' }
						: rl(flavor === 'toapis' ? 'sora-2-vvip' : 'sora-2'),
				duration: 4,
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 20,
				downloadVideo: true,
				binaryPropertyName: 'video',
			});
			expect(result.error).toBeUndefined();
			const item = result.output![0];
			expect(item.json).toMatchObject({ status: 'completed', progress: 100 });
			expect(item.binary!.video).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${item.json.id}.mp4`,
			});
			expect(readStored(result, item.binary!.video).equals(SAMPLE_MP4)).toBe(true);
			// submitted, then no read before one interval, then at most ceil(1.2 s / 1 s) + 1 reads
			expect(sim.readsOf(item.json.id as string)).toBeLessThanOrEqual(3);
			expect(sim.leaks).toEqual([]);
		},
	);

	it("a failed generation comes out as data with the provider's reason", async () => {
		const result = await generate('toapis', {
			prompt: 'Something [sim:fail]',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 20,
			downloadVideo: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			status: 'failed',
			error: { code: 'generation_failed', message: expect.stringMatching(/content policy/) },
		});
	});

	it('a wait that times out keeps the task id in the error', async () => {
		const result = await generate('toapis', {
			prompt: 'Forever [sim:stuck]',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 2,
		});
		const id = sim.submissions.length === 1 ? [...sim.tasks.keys()][0] : undefined;
		expect(id).toBeDefined();
		expect(result.error?.message).toContain(id);
		expect(result.error?.description).toMatch(/Nothing is lost.*Sora Task Status/);
	});

	it('a timed-out item under Continue On Fail outputs the task id and status', async () => {
		const result = await generate(
			'toapis',
			{ prompt: 'Forever [sim:stuck]', waitForCompletion: true, pollInterval: 1, maxWaitTime: 1 },
			{ continueOnFail: true },
		);
		const id = [...sim.tasks.keys()][0];
		expect(result.output![0].json).toMatchObject({
			id,
			status: 'in_progress',
			error: { message: expect.stringContaining(id) },
		});
	});

	it('cancelling mid-wait stops at once and names the task', async () => {
		// Stopped once the node holds the task id and waits for its first read, 30 s away: however busy the machine,
		// a node that stops at once ends long before that read; one that sleeps on ends at it (or at Max Wait).
		const result = await generate(
			'toapis',
			{
				prompt: 'Forever [sim:stuck]',
				waitForCompletion: true,
				pollInterval: 30,
				maxWaitTime: 600,
			},
			{ cancelWhen: loggedSubmission },
		);
		const id = [...sim.tasks.keys()][0];
		expect(result.cancel?.conditionMet).toBe(true);
		expect(result.error?.message).toMatch(/cancelled/);
		expect(result.error?.message).toContain(id);
		expect(sim.readsOf(id)).toBe(0);
		expect(result.cancel!.nodeStoppedAfterMs).toBeLessThan(30_000);
	});

	it('never repeats a submit that got a 500 (it may have been accepted), and says so (no lookup on OpenAI-style hosts)', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos' },
			kind: 'status',
			status: 500,
			afterHandling: true,
		});
		const result = await generate('openaiCompatible', { model: rl('sora-2') });
		expect(submitted()).toHaveLength(1);
		expect(result.error?.message).toMatch(/server error \(500\)/);
		expect(result.error?.description).toMatch(/may still have been accepted/);
	});

	it('toapis: a 500 after the task was accepted is looked up by business id, and the task is followed', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos/generations' },
			kind: 'status',
			status: 500,
			afterHandling: true,
		});
		const result = await generate('toapis', { model: rl('sora-2') });
		expect(result.error).toBeUndefined();
		expect(submitted()).toHaveLength(1);
		const [task] = sim.tasks.values();
		expect(result.output![0].json.id).toBe(task.id);
		expect(result.output![0].json.clientBusinessId).toMatch(/^n8n-/);
	});

	it('repeats a submit the provider refused with 429, after Retry-After', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos/generations' },
			kind: 'status',
			status: 429,
			headers: { 'retry-after': '1' },
		});
		const result = await generate('toapis', { model: rl('sora-2') });
		expect(result.error).toBeUndefined();
		expect(submitted().map((r) => r.status)).toEqual([429, 200]);
		expect(sim.submissions).toHaveLength(1);
	});

	it('keeps repeating a submit refused with 429 past the attempt limit (a 429 is never paid): 10 refusals, then accepted', async () => {
		// several executions sharing one account (queue mode) meet many 429s; each is free to wait out
		sim.inject({
			match: { method: 'POST', path: '/v1/videos/generations' },
			kind: 'status',
			status: 429,
			headers: { 'retry-after': '0' },
			times: 10,
		});
		const result = await generate('toapis', { model: rl('sora-2') });
		expect(result.error).toBeUndefined();
		expect(submitted().map((r) => r.status)).toEqual([...Array(10).fill(429), 200]);
		expect(sim.submissions).toHaveLength(1);
	});

	it('never shows the API key, even when the provider echoes it', async () => {
		sim.inject({
			match: { method: 'POST' },
			kind: 'status',
			status: 400,
			body: { error: { code: 'invalid_request', message: `Bad request for key ${sim.apiKey}` } },
		});
		const result = await generate('toapis', { model: rl('sora-2') });
		expect(result.error?.message).toMatch(/refused the request \(400\)/);
		expect(allText(result.error)).not.toContain(sim.apiKey);
	});
});

describe('Sora Generate: batches', () => {
	const batchOf15 = async (concurrency: number) =>
		await runNode(SoraGenerate, {
			items: Array.from({ length: 15 }, (_, i) => ({ json: { i } })),
			parameters: (i) => ({
				model: rl('sora-2'),
				duration: 10,
				prompt: `Item ${i} [sim:ms=300]`,
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 30,
				options: { concurrency },
			}),
			credentials: credentialsFor(sim, 'toapis'),
		});
	const submitTimes = () =>
		sim
			.requestsTo('api')
			.filter((r) => r.method === 'POST' && r.status === 200)
			.map((r) => r.at);
	/** The most tasks that were open at one moment: submitted (the simulator created them) and not yet read for the last time */
	const mostTasksOpenAtOnce = () => {
		const lastRead = new Map<string, number>();
		for (const r of sim.requestsTo('api'))
			if (r.method === 'GET') lastRead.set(decodeURIComponent(r.path.split('/').at(-1)!), r.at);
		const edges = [...sim.tasks.values()].flatMap(
			(t) =>
				[
					[t.createdAt, 1],
					[lastRead.get(t.id) ?? t.createdAt, -1],
				] as const,
		);
		// at equal times an opening counts before a closing: ms-resolution stamps of overlapping work must overlap
		edges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
		let open = 0;
		let most = 0;
		for (const [, step] of edges) most = Math.max(most, (open += step));
		return most;
	};

	it("submits many items together within the provider's rate limit, each exactly once, keeping item order", async () => {
		sim.setRateLimit({ submitPerSecond: 5, submitBurst: 5, queryPerSecond: 50, queryBurst: 500 });
		try {
			const result = await batchOf15(5);
			expect(result.error).toBeUndefined();
			expect(result.output!.map((o) => o.json.status)).toEqual(Array(15).fill('completed'));
			expect(result.output!.map((o) => o.pairedItem)).toEqual(
				Array.from({ length: 15 }, (_, i) => ({ item: i })),
			);
			const prompts = sim.submissions.map((s) => (s.body as IDataObject).prompt);
			expect(new Set(prompts).size).toBe(15);
			expect(prompts).toHaveLength(15);
			// Paced by the X-RateLimit headers: after the burst of 5, one submit per refill (200 ms), none refused.
			expect(sim.rateLimited).toBe(0);
			const times = submitTimes();
			expect(times[14] - times[0]).toBeGreaterThanOrEqual(1800);
			// the batch waits for the bucket, not item by item: its tasks are followed side by side. Counted on the
			// simulator's record (each task from its submit to its last read), not on a stopwatch: one item at a time
			// would never have two open; the first read is a whole poll interval after the submits of the first burst.
			expect(mostTasksOpenAtOnce()).toBeGreaterThanOrEqual(5);
		} finally {
			sim.setRateLimit(undefined);
		}
	});

	it('paces submits the same whatever the Concurrency: no more 429s with 15 lanes than with 1', async () => {
		sim.setRateLimit({ submitPerSecond: 5, submitBurst: 5, queryPerSecond: 50, queryBurst: 500 });
		try {
			const wide = await batchOf15(15);
			expect(wide.error).toBeUndefined();
			// the first answers teach the rate; lanes opened before that may meet the end of the burst once
			expect(sim.rateLimited).toBeLessThanOrEqual(1);
			expect(sim.submissions).toHaveLength(15);
		} finally {
			sim.setRateLimit(undefined);
		}
	});

	it('polls each task from the moment its id is known, while later items are still being submitted', async () => {
		// a slow bucket (2 per second after a burst of 5) spreads the 15 submits over 5 s, so the first read (one 1 s
		// interval after the first submit) has 4 s to spare on a busy machine rather than 1 s
		sim.setRateLimit({ submitPerSecond: 2, submitBurst: 5, queryPerSecond: 50, queryBurst: 500 });
		try {
			const result = await batchOf15(5);
			expect(result.error).toBeUndefined();
			const reads = sim.requestsTo('api').filter((r) => r.method === 'GET');
			const times = submitTimes();
			// the last of 15 submits leaves ~5 s after the first; the first task (300 ms) is read ~1 s after its submit
			expect(times[14] - times[0]).toBeGreaterThanOrEqual(4500);
			expect(reads[0].at).toBeLessThan(times[14]);
			expect(result.output!.every((o) => o.json.status === 'completed')).toBe(true);
		} finally {
			sim.setRateLimit(undefined);
		}
	});

	it('executions running at the same time on one account share its bucket: three batches of 15 meet no more 429s than one', async () => {
		sim.setRateLimit({ submitPerSecond: 5, submitBurst: 5, queryPerSecond: 50, queryBurst: 500 });
		try {
			// three executions side by side (three webhook calls, or a queue worker's concurrent jobs)
			const results = await Promise.all([batchOf15(5), batchOf15(5), batchOf15(5)]);
			for (const result of results)
				expect(result.output!.map((o) => o.json.status)).toEqual(Array(15).fill('completed'));
			expect(sim.submissions).toHaveLength(45);
			// each pacing itself alone, they met 43 refusals here (0.2.0); sharing, only the probe's end of burst can be hit
			expect(sim.rateLimited).toBeLessThanOrEqual(1);
			const times = submitTimes();
			// 45 submits at 5 per second after a burst of 5: the bucket's pace, not three times it
			expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(7500);
		} finally {
			sim.setRateLimit(undefined);
		}
	});

	it("without rate-limit headers, absorbs the provider's 429s and still submits each item exactly once", async () => {
		// 1 per second after a burst of 5: five lanes outrun that however slow the machine (a 10/s bucket was never
		// emptied by a loaded machine, so no 429 came to absorb)
		sim.setRateLimit({
			submitPerSecond: 1,
			submitBurst: 5,
			queryPerSecond: 50,
			queryBurst: 500,
			headersOnSuccess: false,
		});
		try {
			const result = await batchOf15(5);
			expect(result.error).toBeUndefined();
			expect(result.output!.map((o) => o.json.status)).toEqual(Array(15).fill('completed'));
			expect(sim.rateLimited).toBeGreaterThan(0);
			expect(sim.submissions).toHaveLength(15);
		} finally {
			sim.setRateLimit(undefined);
		}
	});
});

describe("Sora Generate under n8n's Retry On Fail (the node runs again in the same execution)", () => {
	it('reuses the task it already submitted instead of paying again', async () => {
		// The task stays unfinished until the first wait has timed out, then the provider finishes it: no duration has
		// to outlast a 1 s wait on a busy machine.
		const parameters = {
			model: rl('sora-2'),
			duration: 10,
			prompt: 'A slow one [sim:stuck]',
			waitForCompletion: true,
			pollInterval: 1,
		};
		const first = await generate(
			'toapis',
			{ ...parameters, maxWaitTime: 1 },
			{ executionId: 'exec-retry-1' },
		);
		const id = [...sim.tasks.keys()][0];
		expect(first.error?.message).toContain(id);
		finishNow(sim.tasks.get(id)!);
		const retry = await generate(
			'toapis',
			{ ...parameters, maxWaitTime: 60 },
			{ executionId: 'exec-retry-1' },
		);
		expect(retry.error).toBeUndefined();
		expect(retry.output![0].json).toMatchObject({ id, status: 'completed' });
		expect(sim.submissions).toHaveLength(1);
		// another execution is another video
		await generate('toapis', { ...parameters, maxWaitTime: 1 }, { executionId: 'exec-retry-2' });
		expect(sim.submissions).toHaveLength(2);
	});

	it('does not re-send a submit whose first attempt may have been accepted (OpenAI-style hosts: no lookup)', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos' },
			kind: 'reset',
			afterHandling: true,
		});
		const first = await generate(
			'openaiCompatible',
			{ model: rl('sora-2') },
			{ executionId: 'exec-retry-3' },
		);
		expect(first.error?.description).toMatch(/may have reached the provider/);
		const retry = await generate(
			'openaiCompatible',
			{ model: rl('sora-2') },
			{ executionId: 'exec-retry-3' },
		);
		expect(retry.error?.message).toMatch(/Not sent again/);
		expect(sim.submissions).toHaveLength(1);
	});

	it('toapis: a reset after the provider took the submit loses nothing; the retried node reuses the task', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos/generations' },
			kind: 'reset',
			afterHandling: true,
		});
		const first = await generate(
			'toapis',
			{ model: rl('sora-2') },
			{ executionId: 'exec-retry-4' },
		);
		expect(first.error).toBeUndefined();
		const retry = await generate(
			'toapis',
			{ model: rl('sora-2') },
			{ executionId: 'exec-retry-4' },
		);
		expect(retry.output![0].json.id).toBe(first.output![0].json.id);
		expect(sim.submissions).toHaveLength(1);
	});
});

describe('Sora Generate: several variants (toapis metadata.n)', () => {
	it("outputs every variant's URL and downloads each into its own binary field", async () => {
		const result = await generate('toapis', {
			model: rl('sora-2'),
			duration: 10,
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 20,
			downloadVideo: true,
			additionalFields: { n: 3 },
		});
		expect(result.error).toBeUndefined();
		const item = result.output![0];
		expect(item.json.videoUrls).toHaveLength(3);
		expect(Object.keys(item.binary!)).toEqual(['data', 'data_2', 'data_3']);
		expect(item.binary!.data_3.fileName).toBe(`${item.json.id}-3.mp4`);
		for (const field of ['data', 'data_2', 'data_3'])
			expect(readStored(result, item.binary![field]).equals(SAMPLE_MP4)).toBe(true);
	});
});
