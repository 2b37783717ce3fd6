import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraCharacter } from '../nodes/SoraCharacter/SoraCharacter.node';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SAMPLE_MP4, startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor, itemWithBinary, makePng } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 1000 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
const posts = () => sim.requestsTo('api').filter((r) => r.method === 'POST');
const character = (parameters: IDataObject, extra: Partial<Parameters<typeof runNode>[1]> = {}) =>
	runNode(SoraCharacter, {
		parameters: { model: rl('sora-2'), timestamps: '1,3', ...parameters },
		credentials: credentialsFor(sim, 'toapis'),
		...extra,
	});

describe('Sora Character: create', () => {
	it('from a video URL: sends model, timestamps and url, and reads the new task', async () => {
		const result = await character({ url: 'https://example.com/me.mp4' });
		expect(result.error).toBeUndefined();
		expect(posts()[0].body).toEqual({
			model: 'sora-2',
			timestamps: '1,3',
			url: 'https://example.com/me.mp4',
		});
		expect(result.output![0].json).toMatchObject({
			id: expect.stringMatching(/^task_/),
			kind: 'character',
			status: expect.stringMatching(/queued|in_progress/),
		});
		expect(sim.violations).toEqual([]);
	});

	it('sends the optional prompt only when it is set (trimmed)', async () => {
		await character({ url: 'https://example.com/me.mp4', prompt: '  A corgi in a red scarf  ' });
		await character({ url: 'https://example.com/me.mp4', prompt: '   ' });
		expect(posts().map((p) => (p.body as IDataObject).prompt)).toEqual([
			'A corgi in a red scarf',
			undefined,
		]);
		expect(sim.violations).toEqual([]);
	});

	it('from an earlier task, waiting for the finished character and its @username', async () => {
		const video = sim.createTask('toapis', 'video', { durationMs: 0 });
		const result = await character({
			model: rl('sora-2-pro'),
			fromTask: video.id,
			timestamps: '0.5,2.5',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 20,
		});
		expect(result.error).toBeUndefined();
		expect(posts()[0].body).toEqual({
			model: 'sora-2-pro',
			timestamps: '0.5,2.5',
			from_task: video.id,
		});
		const json = result.output![0].json;
		expect(json.status).toBe('completed');
		const [created] = json.characters as IDataObject[];
		expect(created).toMatchObject({
			id: expect.stringMatching(/^ch_/),
			displayName: 'Sim Character',
			username: expect.stringMatching(/^sim\w+\.character$/),
		});
		expect(json.mentions).toBe(`@${created.username}`);
		expect(json.usernames).toEqual([created.username]);
	});

	it('from a video file: uploads it through /v1/uploads/videos first', async () => {
		const result = await runNode(SoraCharacter, {
			items: [itemWithBinary('clip', SAMPLE_MP4, 'video/mp4', 'clip.mp4')],
			parameters: { model: rl('sora-2-vip'), timestamps: '1,2', videoBinaryPropertyName: 'clip' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		const [upload, create] = posts();
		expect(upload.path).toBe('/v1/uploads/videos');
		expect((create.body as IDataObject).url).toMatch(
			new RegExp(`^${sim.cdnUrl}/uploads/upload_\\w+\\.mp4$`),
		);
		expect(sim.violations).toEqual([]);
	});

	it('keeps the task id when the wait times out', async () => {
		sim.defaultScenario.outcome = 'stuck';
		try {
			const result = await character({
				url: 'https://example.com/me.mp4',
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 1,
			});
			const id = [...sim.tasks.keys()][0];
			expect(result.error?.message).toContain(id);
			expect(result.error?.description).toMatch(/task type Character/);
		} finally {
			sim.defaultScenario.outcome = 'completed';
		}
	});

	it('refuses a file that is not a video, and one over 50 MB', async () => {
		const png = await runNode(SoraCharacter, {
			items: [itemWithBinary('clip', makePng(8, 8), 'video/mp4', 'clip.mp4')],
			parameters: { model: rl('sora-2'), timestamps: '1,3', videoBinaryPropertyName: 'clip' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(png.error?.message).toMatch(/is not an MP4, WebM or MOV video/);
		const big = await runNode(SoraCharacter, {
			items: [
				itemWithBinary(
					'clip',
					Buffer.concat([SAMPLE_MP4, Buffer.alloc(51 * 1024 * 1024)]),
					'video/mp4',
					'big.mp4',
				),
			],
			parameters: { model: rl('sora-2'), timestamps: '1,3', videoBinaryPropertyName: 'clip' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(big.error?.message).toMatch(/uploads are limited to 50 MB/);
		expect(sim.requests).toHaveLength(0);
	});

	it.each(['openaiCompatible', 'azure'] as const)(
		'says clearly that %s has no character API, sending nothing',
		async (flavor) => {
			const result = await runNode(SoraCharacter, {
				parameters: { model: rl('sora-2'), timestamps: '1,3', url: 'https://e.com/v.mp4' },
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error?.message).toMatch(/Characters are a toapis feature/);
			expect(sim.requests).toHaveLength(0);
		},
	);
});

describe('Sora Character: get, and using characters in Sora Generate', () => {
	it('gets a character task with its usernames', async () => {
		const task = sim.createTask('toapis', 'character', { durationMs: 0 });
		const result = await character({ operation: 'get', taskId: task.id });
		expect(result.error).toBeUndefined();
		expect(sim.requestsTo('api')[0].path).toBe(`/v1/characters_tasks/${task.id}`);
		expect(result.output![0].json).toMatchObject({
			id: task.id,
			status: 'completed',
			mentions: `@${sim.usernameOf(task)}`,
		});
	});

	it('a character → two videos that mention it by @username, end to end against the simulator', async () => {
		const created = await character({
			url: 'https://example.com/me.mp4',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 20,
		});
		expect(created.error).toBeUndefined();
		const mention = created.output![0].json.mentions as string;
		const generated = await runNode(SoraGenerate, {
			items: [{ json: { mention, scene: 'surfing' } }, { json: { mention, scene: 'skiing' } }],
			parameters: (i) => ({
				model: rl('sora-2'),
				duration: 10,
				prompt: `${mention} ${i === 0 ? 'surfing' : 'skiing'} at sunset`,
				waitForCompletion: true,
				pollInterval: 1,
				maxWaitTime: 20,
			}),
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(generated.error).toBeUndefined();
		expect(generated.output!.map((o) => o.json.status)).toEqual(['completed', 'completed']);
		expect(sim.violations).toEqual([]);
		// and an unknown @username is the provider's error, with its words
		const unknown = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: '@nobody.here dancing' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(unknown.error?.message).toMatch(
			/refused the request \(400\): Unknown character @nobody.here/,
		);
	});

	it("Sora Generate's character fields reach the provider", async () => {
		const source = sim.createTask('toapis', 'video', { durationMs: 0 });
		const result = await runNode(SoraGenerate, {
			parameters: {
				model: rl('sora-2'),
				prompt: 'A walk in the park',
				additionalFields: {
					characterUrl: 'https://example.com/me.mp4',
					characterTimestamps: '1,3',
					characterCreate: true,
					characterFromTask: source.id,
				},
			},
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		expect((posts()[0].body as IDataObject).metadata).toEqual({
			character_url: 'https://example.com/me.mp4',
			character_timestamps: '1,3',
			character_create: true,
			character_from_task: source.id,
		});
	});
});
