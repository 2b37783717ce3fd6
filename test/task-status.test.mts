import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import {
	SAMPLE_MP4,
	SAMPLE_THUMBNAIL,
	startSimulator,
	type SoraSimulator,
} from '../simulator/server.mts';
import { FLAVORS, allText, credentialsFor, finishNow } from './harness/fixtures.mts';
import { readStored, runNode } from './harness/run-node.mts';
import { waitUntil } from './harness/wait.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 600 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const fastWait = { waitForCompletion: true, pollInterval: 1, maxWaitTime: 20 };

describe.each(FLAVORS)('Sora Task Status on the %s flavor', (flavor) => {
	it('reads a task once and outputs the normalized task JSON with the raw response', async () => {
		const task = sim.createTask(flavor, 'video', { durationMs: 60_000 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(1);
		const json = result.output![0].json;
		expect(json).toMatchObject({
			id: task.id,
			kind: 'video',
			status: expect.stringMatching(/queued|in_progress/),
			model: 'sora-2',
			videoUrl: null,
			error: null,
		});
		expect((json.raw as { id: string }).id).toBe(task.id);
		expect(result.output![0].pairedItem).toEqual({ item: 0 });
		expect(sim.readsOf(task.id)).toBe(1);
	});

	it('waits for completion and downloads the MP4 as binary data, without the API key on the CDN', async () => {
		const task = sim.createTask(flavor, 'video', { durationMs: 1500 });
		const result = await runNode(SoraTaskStatus, {
			parameters: {
				taskId: task.id,
				...fastWait,
				downloadVideo: true,
				binaryPropertyName: 'video',
			},
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		const item = result.output![0];
		expect(item.json).toMatchObject({ id: task.id, status: 'completed', progress: 100 });
		expect(item.json.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: `${task.id}.mp4` });
		expect(readStored(result, item.binary!.video).equals(SAMPLE_MP4)).toBe(true);
		// status reads: no more than the task's duration needs at a 1 s interval (+1)
		expect(sim.readsOf(task.id)).toBeLessThanOrEqual(Math.ceil(1.5 / 1) + 1);
		expect(sim.leaks).toEqual([]);
		expect(sim.violations).toEqual([]);
		const fetchedFrom = flavor === 'toapis' ? 'cdn' : 'api';
		expect(
			sim
				.requestsTo(fetchedFrom)
				.some((r) => r.path.endsWith(flavor === 'toapis' ? '.mp4' : '/content')),
		).toBe(true);
	});

	it('downloads the thumbnail too when asked', async () => {
		const task = sim.createTask(flavor, 'video', { durationMs: 0 });
		task.request = { thumbnail: true };
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true, options: { downloadThumbnail: true } },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		const binary = result.output![0].binary!;
		expect(readStored(result, binary.data).equals(SAMPLE_MP4)).toBe(true);
		expect(readStored(result, binary.thumbnail).equals(SAMPLE_THUMBNAIL)).toBe(true);
		expect(binary.thumbnail.mimeType).toBe('image/jpeg');
	});

	it('keeps the video when the thumbnail cannot be had, and says why in thumbnailError', async () => {
		// OpenAI-style hosts that serve only the video refuse ?variant=thumbnail; a toapis thumbnail link can be gone.
		const task = sim.createTask(flavor, 'video', { durationMs: 0, noThumbnail: true });
		task.request = { thumbnail: true };
		if (flavor === 'toapis')
			sim.inject({
				match: { server: 'cdn', path: '/thumbnails/' },
				kind: 'status',
				status: 404,
				times: 5,
			});
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true, options: { downloadThumbnail: true } },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		const item = result.output![0];
		expect(readStored(result, item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		expect(item.binary!.thumbnail).toBeUndefined();
		expect(item.json.thumbnailError).toMatch(/thumbnail.*\((400|404)\)/);
		expect(item.json.id).toBe(task.id);
	});

	it("reports a failed task as data, with the provider's reason", async () => {
		const task = sim.createTask(flavor, 'video', {
			outcome: 'failed',
			durationMs: 0,
			error: { code: 'content_policy_violation', message: 'Content violates the content policy' },
		});
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, ...fastWait, downloadVideo: true },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			status: 'failed',
			error: { code: 'content_policy_violation', message: 'Content violates the content policy' },
		});
		expect(result.output![0].binary).toBeUndefined();
	});

	it('gives up after Max Wait with the task id in the error, and keeps polling cheap', async () => {
		const task = sim.createTask(flavor, 'video', { outcome: 'stuck' });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, waitForCompletion: true, pollInterval: 1, maxWaitTime: 2 },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error?.message).toContain(task.id);
		expect(result.error?.message).toMatch(/did not finish within 2 s \(in_progress, 50%\)/);
		expect(result.error?.description).toMatch(/Nothing is lost.*Sora Task Status/);
		expect(sim.readsOf(task.id)).toBeLessThanOrEqual(4);
	});

	it('with Continue On Fail, a timed-out item keeps its task JSON and the others go on', async () => {
		const stuck = sim.createTask(flavor, 'video', { outcome: 'stuck' });
		const done = sim.createTask(flavor, 'video', { durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			items: [{ json: { id: stuck.id } }, { json: { id: done.id } }],
			parameters: { waitForCompletion: true, pollInterval: 1, maxWaitTime: 1 },
			credentials: credentialsFor(sim, flavor),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			id: stuck.id,
			status: 'in_progress',
			error: { message: expect.stringContaining(stuck.id) },
		});
		expect(result.output![1].json).toMatchObject({ id: done.id, status: 'completed' });
		expect(result.output!.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('stops waiting at once when the execution is cancelled, naming the task', async () => {
		// Stopped once the simulator has seen the first read: the node is then waiting 30 s for the next one. A node that
		// stops at once ends long before it, however busy the machine; one that sleeps on reads again (or hits Max Wait).
		const task = sim.createTask(flavor, 'video', { outcome: 'stuck' });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, waitForCompletion: true, pollInterval: 30, maxWaitTime: 600 },
			credentials: credentialsFor(sim, flavor),
			cancelWhen: () => sim.readsOf(task.id) >= 1,
		});
		expect(result.cancel?.conditionMet).toBe(true);
		expect(result.error?.message).toMatch(/cancelled/);
		expect(result.error?.message).toContain(task.id);
		expect(sim.readsOf(task.id)).toBe(1);
		expect(result.cancel!.nodeStoppedAfterMs).toBeLessThan(30_000);
	});

	it('says "task not found" for an unknown id', async () => {
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: 'video_does_not_exist' },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error?.message).toMatch(/Task not found \(404\)/);
		expect(result.error?.description).toMatch(/Check the task id/);
	});

	it('tells a wrong API key apart, and never shows the key', async () => {
		const wrongKey = 'sk-wrong-key-1234567890';
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: 'video_x' },
			credentials: credentialsFor(sim, flavor, wrongKey),
		});
		expect(result.error?.message).toMatch(/rejected the API key \(401\)/);
		expect(allText(result.error)).not.toContain(wrongKey);
		expect(allText(result.error)).not.toContain(sim.apiKey);
	});

	it('refuses an empty task id without any request', async () => {
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: '  ' },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error?.message).toBe('Task ID is empty');
		expect(sim.requestsTo('api')).toHaveLength(0);
	});

	it('normalizes reseller-style answers (status synonyms, "65%" progress, ms timestamps, URL in metadata)', async () => {
		const task = sim.createTask(flavor, 'video', { durationMs: 0, resellerQuirks: true });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error).toBeUndefined();
		const json = result.output![0].json;
		expect(json).toMatchObject({
			status: 'completed',
			progress: 100,
			videoUrl: `${sim.cdnUrl}/videos/${task.id}.mp4`,
		});
		expect(Math.abs(Date.parse(json.createdAt as string) - task.createdAt)).toBeLessThan(1000);
		expect(readStored(result, result.output![0].binary!.data).equals(SAMPLE_MP4)).toBe(true);
		expect(sim.leaks).toEqual([]);
	});

	it('explains an expired video link', async () => {
		const task = sim.createTask(flavor, 'video', {
			durationMs: 0,
			expiresAfterMs: 0,
			resellerQuirks: flavor === 'toapis' ? false : true,
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true },
			credentials: credentialsFor(sim, flavor),
		});
		expect(result.error?.message).toMatch(/gone or its link has expired \((403|404)\)/);
		expect(result.error?.description).toContain(task.id);
	});
});

describe('Sora Task Status, flavor specifics', () => {
	it('reads toapis character tasks from /v1/characters_tasks', async () => {
		const task = sim.createTask('toapis', 'character', { durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, taskType: 'character' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json).toMatchObject({
			id: task.id,
			kind: 'character',
			status: 'completed',
			videoUrl: null,
		});
		expect(sim.requestsTo('api')[0].path).toBe(`/v1/characters_tasks/${task.id}`);
	});

	it.each(['openaiCompatible', 'azure'] as const)(
		'says clearly that %s has no character tasks, without a request',
		async (flavor) => {
			const result = await runNode(SoraTaskStatus, {
				parameters: { taskId: 'task_1', taskType: 'character' },
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error?.message).toMatch(/has no character tasks/);
			expect(sim.requestsTo('api')).toHaveLength(0);
		},
	);

	it('sends the key as a bearer token to toapis/OpenAI-compatible hosts and as api-key to Azure', async () => {
		for (const flavor of FLAVORS) {
			const task = sim.createTask(flavor, 'video');
			await runNode(SoraTaskStatus, {
				parameters: { taskId: task.id },
				credentials: credentialsFor(sim, flavor),
			});
		}
		const [toapis, openai, azure] = sim.requestsTo('api');
		expect(toapis.headers).toMatchObject({
			authorization: `Bearer ${sim.apiKey}`,
			'api-key': undefined,
		});
		expect(openai.headers).toMatchObject({
			authorization: `Bearer ${sim.apiKey}`,
			'api-key': undefined,
		});
		expect(azure.headers).toMatchObject({ authorization: undefined, 'api-key': sim.apiKey });
		expect(azure.path).toMatch(/^\/openai\/v1\/videos\//);
	});

	it.each(['openaiCompatible', 'azure'] as const)(
		'%s: follows a /content redirect to the CDN without the key',
		async (flavor) => {
			const task = sim.createTask(flavor, 'video', { durationMs: 0, contentRedirect: true });
			const result = await runNode(SoraTaskStatus, {
				parameters: { taskId: task.id, downloadVideo: true },
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error).toBeUndefined();
			expect(readStored(result, result.output![0].binary!.data).equals(SAMPLE_MP4)).toBe(true);
			expect(sim.requestsTo('cdn')).toHaveLength(1);
			expect(sim.leaks).toEqual([]);
		},
	);

	it('follows a CDN redirect', async () => {
		const task = sim.createTask('toapis', 'video', { durationMs: 0, cdnRedirect: true });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		expect(sim.requestsTo('cdn').map((r) => r.path)).toEqual([
			`/videos/${task.id}.mp4`,
			`/moved/${task.id}.mp4`,
		]);
		expect(sim.leaks).toEqual([]);
	});

	it('polls many items in one loop: a batch takes about as long as its slowest task', async () => {
		// The tasks stay unfinished until every one of them has been read once, then the provider finishes them all.
		// Followed side by side, each is read once more and done; one at a time, the first would wait alone until its
		// Max Wait and fail. No stopwatch: a busy machine only makes both slower.
		const tasks = Array.from({ length: 12 }, () =>
			sim.createTask('toapis', 'video', { outcome: 'stuck' }),
		);
		const readsAtFinish = new Map<string, number>();
		const allRead = () => tasks.every((t) => sim.readsOf(t.id) >= 1);
		let ended = false;
		const finishOnceAllRead = waitUntil(
			() => ended || allRead(),
			'a first read of all 12 tasks',
		).then(() => {
			if (ended) return;
			for (const t of tasks) {
				readsAtFinish.set(t.id, sim.readsOf(t.id));
				finishNow(t);
			}
		});
		const result = await runNode(SoraTaskStatus, {
			items: tasks.map((t) => ({ json: { id: t.id } })),
			parameters: { ...fastWait, downloadVideo: true },
			credentials: credentialsFor(sim, 'toapis'),
		});
		ended = true;
		await finishOnceAllRead;
		expect(result.error).toBeUndefined();
		expect(readsAtFinish.size).toBe(12);
		expect(result.output!.map((o) => o.json.id)).toEqual(tasks.map((t) => t.id));
		expect(result.output!.every((o) => o.json.status === 'completed' && o.binary?.data)).toBe(true);
		// once a task is finished, one read sees it and polling stops
		for (const t of tasks) expect(sim.readsOf(t.id) - readsAtFinish.get(t.id)!).toBe(1);
	});
});
