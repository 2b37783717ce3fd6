import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { SoraTrigger } from '../nodes/SoraTrigger/SoraTrigger.node';
import {
	rememberEvent,
	SEEN_EVENTS_MAX,
	SEEN_EVENTS_TTL_SECONDS,
	verifySignature,
} from '../nodes/SoraTrigger/events';
import {
	SAMPLE_MP4,
	SAMPLE_THUMBNAIL,
	startSimulator,
	type SoraSimulator,
} from '../simulator/server.mts';
import { allText, credentialsFor } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';
import { serveWebhook, type WebhookHost } from './harness/run-webhook.mts';
import { HANG_GUARD_MS, waitUntil } from './harness/wait.mts';

const SECRET = 'a'.repeat(32) + 'b'.repeat(32);
const OLD_SECRET = 'c'.repeat(64);

let sim: SoraSimulator;
let host: WebhookHost;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 300 } });
});
afterAll(async () => sim.close());
beforeEach(async () => {
	sim.reset();
	host = await serveWebhook(
		SoraTrigger,
		{ ...credentialsFor(sim, 'toapis'), webhookSecret: SECRET },
		{ downloadVideo: true },
	);
	// Deliveries wait for the trigger's answer as long as a hang allows (toapis gives up after 10 s): on a busy machine the
	// trigger's download before answering takes longer, and a delivery cut off by a clock is no verdict on the node.
	sim.webhooks.configure({
		defaultUrl: `${host.url}/webhook/trigger-id/webhook`,
		secret: SECRET,
		previousSecret: undefined,
		retryDelaysMs: [50, 100, 200],
		timeoutMs: HANG_GUARD_MS,
	});
});
afterEach(async () => host.close());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });

/** Sora Generate without waiting, on a credential that knows the webhook URL */
async function generate(additionalFields: IDataObject, prompt = 'A cat surfing a wave', items = 1) {
	return await runNode(SoraGenerate, {
		parameters: { prompt, model: rl('sora-2'), waitForCompletion: false, additionalFields },
		items: Array.from({ length: items }, (_, i) => ({ json: { row: i } })),
		credentials: { ...credentialsFor(sim, 'toapis'), webhookUrl: sim.webhooks.config.defaultUrl! },
	});
}

/** Waits until the simulator has made this many deliveries and has none scheduled or in flight (no clock: an event). */
async function settled(expectedDeliveries: number) {
	await waitUntil(
		() => sim.webhooks.deliveries.length >= expectedDeliveries && sim.webhooks.pending === 0,
		`${expectedDeliveries} webhook deliveries and none pending (${sim.webhooks.deliveries.length} made so far)`,
	);
	return sim.webhooks.deliveries;
}

/** Reads of a task by its id: polling. (A Client Business ID is looked up once before its submit; that is no poll.) */
function statusReads() {
	return sim
		.requestsTo('api')
		.filter((r) => r.method === 'GET' && /\/videos\/generations\/video_/.test(r.path)).length;
}

describe('Sora Generate → toapis webhook → Sora Trigger', () => {
	it('20 items with Client Business IDs arrive as 20 executions with their videos and 0 status reads', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: (i) => ({
				prompt: `Scene ${i}`,
				model: rl('sora-2'),
				waitForCompletion: false,
				additionalFields: {
					clientBusinessId: `row-${i}`,
					callbackUrl: '/webhook/trigger-id/webhook?batch=7',
				},
			}),
			items: Array.from({ length: 20 }, (_, i) => ({ json: { row: i } })),
			credentials: {
				...credentialsFor(sim, 'toapis'),
				webhookUrl: sim.webhooks.config.defaultUrl!,
			},
		});
		expect(result.error).toBeUndefined();
		const bodies = sim.submissions.map((s) => s.body as IDataObject);
		const rows = Array.from({ length: 20 }, (_, i) => `row-${i}`);
		expect(bodies.map((b) => b.client_business_id).sort()).toEqual([...rows].sort());
		expect(new Set(bodies.map((b) => b.callback_url))).toEqual(
			new Set([`${host.url}/webhook/trigger-id/webhook?batch=7`]),
		);
		expect(result.output!.map((item) => item.json.clientBusinessId)).toEqual(rows);

		const deliveries = await settled(20);
		expect(deliveries.map((d) => d.status)).toEqual(Array(20).fill(200));
		expect(host.executions).toHaveLength(20);
		const byId = new Map(host.executions.map(([item]) => [item.json.clientBusinessId, item]));
		for (let i = 0; i < 20; i++) {
			const item = byId.get(`row-${i}`)!;
			expect(item.json).toMatchObject({
				kind: 'video',
				status: 'completed',
				progress: 100,
				model: 'sora-2',
				error: null,
				event: { type: 'generation.completed' },
			});
			expect((item.json.raw as IDataObject).task_id).toBe(item.json.id);
			expect(host.read(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		}
		expect(statusReads()).toBe(0);
		expect(sim.leaks).toEqual([]);
	});

	it('a failed task arrives with its error; "Completed Only" acknowledges it and starts nothing', async () => {
		await generate({ clientBusinessId: 'order_456' }, 'A storm [sim:fail]');
		await settled(1);
		expect(host.executions).toHaveLength(1);
		expect(host.executions[0][0].json).toMatchObject({
			status: 'failed',
			clientBusinessId: 'order_456',
			error: { code: 'generation_failed' },
		});
		expect(host.executions[0][0].binary).toBeUndefined();

		host.parameters.events = 'completed';
		await generate({}, 'Another storm [sim:fail]');
		await settled(2);
		expect(host.executions).toHaveLength(1);
		expect(host.answers.at(-1)).toMatchObject({ status: 200 });
		expect(JSON.parse(host.answers.at(-1)!.body)).toMatchObject({ ignored: 'generation.failed' });
	});

	it('variants and the thumbnail arrive as binary fields too (Options → Download Thumbnail)', async () => {
		host.parameters.options = { downloadThumbnail: true };
		await generate({ n: 2, thumbnail: true });
		await settled(1);
		const binary = host.executions[0][0].binary!;
		expect(Object.keys(binary).sort()).toEqual(['data', 'data_2', 'thumbnail']);
		expect(host.read(binary.data_2).equals(SAMPLE_MP4)).toBe(true);
		expect(host.read(binary.thumbnail).equals(SAMPLE_THUMBNAIL)).toBe(true);
		expect(statusReads()).toBe(0);
	});

	it('a thumbnail that cannot be downloaded leaves the video in place and says why', async () => {
		host.parameters.options = { downloadThumbnail: true };
		sim.inject({
			match: { server: 'cdn', path: '/thumbnails/' },
			kind: 'status',
			status: 404,
			times: 5,
		});
		await generate({ thumbnail: true });
		await settled(1);
		const [item] = host.executions[0];
		expect(Object.keys(item.binary!)).toEqual(['data']);
		expect(host.read(item.binary!.data).equals(SAMPLE_MP4)).toBe(true);
		expect(item.json.thumbnailError).toBe(
			'The thumbnail file is gone or its link has expired (404)',
		);
		expect(item.json.downloadError).toBeUndefined();
	});

	it('a failed download still starts the execution, with the task id and the reason', async () => {
		sim.inject({ match: { server: 'cdn' }, kind: 'status', status: 404, times: 5 });
		await generate({ clientBusinessId: 'row-9' });
		await settled(1);
		expect(host.executions).toHaveLength(1);
		const [item] = host.executions[0];
		expect(item.json).toMatchObject({
			status: 'completed',
			clientBusinessId: 'row-9',
			downloadError: 'The video file is gone or its link has expired (404)',
		});
		expect(item.json.id).toMatch(/^video_/);
		expect(item.binary).toBeUndefined();
	});

	it('Sora Task Status reads the Client Business ID back', async () => {
		const submitted = await generate({ clientBusinessId: 'sheet-row-12' });
		const read = await runNode(SoraTaskStatus, {
			parameters: { taskId: submitted.output![0].json.id },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(read.output![0].json.clientBusinessId).toBe('sheet-row-12');
		await settled(1);
	});
});

describe('Sora Trigger refuses what it cannot trust, and starts nothing', () => {
	for (const kind of ['forged', 'stale', 'future'] as const) {
		it(`a ${kind} delivery gets 401; the real event still starts one execution`, async () => {
			sim.webhooks.inject({ kind });
			await generate({});
			const deliveries = await settled(2);
			expect(deliveries.map((d) => [d.variant, d.status])).toEqual([
				[kind, 401],
				['event', 200],
			]);
			expect(JSON.parse(deliveries[0].responseBody!).error).toBe(
				kind === 'forged' ? 'invalid_signature' : 'stale_timestamp',
			);
			expect(host.executions).toHaveLength(1);
		});
	}

	it('a redelivered event (same id, fresh signature) is answered 200 and deduplicated', async () => {
		sim.webhooks.inject({ kind: 'duplicate' });
		await generate({});
		const deliveries = await settled(2);
		expect(deliveries.map((d) => [d.variant, d.status])).toEqual([
			['event', 200],
			['duplicate', 200],
		]);
		expect(JSON.parse(deliveries[1].responseBody!)).toMatchObject({ duplicate: true });
		expect(host.executions).toHaveLength(1);
	});

	it('a secret rotation (two v1 signatures) is accepted with either secret in the credential', async () => {
		sim.webhooks.configure({ secret: SECRET, previousSecret: OLD_SECRET });
		await generate({});
		host.credentials.webhookSecret = OLD_SECRET;
		await generate({});
		const deliveries = await settled(2);
		expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
		expect(host.executions).toHaveLength(2);
	});

	it('endpoint.test is answered 200 without an execution', async () => {
		const response = await fetch(`${sim.url}/__sim/webhooks/send`, {
			method: 'POST',
			body: JSON.stringify({ type: 'endpoint.test' }),
			headers: { 'content-type': 'application/json' },
		});
		const delivery = await response.json();
		expect(delivery).toMatchObject({ type: 'endpoint.test', status: 200 });
		expect(JSON.parse(delivery.responseBody)).toMatchObject({ received: true, test: true });
		expect(host.executions).toHaveLength(0);
	});

	it('missing headers get 401, a signed body that is not an event gets 400; neither starts anything', async () => {
		const url = sim.webhooks.config.defaultUrl!;
		const plain = await fetch(url, {
			method: 'POST',
			body: '{}',
			headers: { 'content-type': 'application/json' },
		});
		expect(plain.status).toBe(401);
		const body = JSON.stringify({ hello: 'world' });
		const ts = Math.floor(Date.now() / 1000);
		const signature = createHmac('sha256', SECRET).update(`evt_x.${ts}.${body}`).digest('hex');
		const signed = await fetch(url, {
			method: 'POST',
			body,
			headers: {
				'content-type': 'application/json',
				'x-toapis-webhook-id': 'evt_x',
				'x-toapis-webhook-timestamp': String(ts),
				'x-toapis-webhook-signature': `v1=${signature}`,
			},
		});
		expect(signed.status).toBe(400);
		const noTask = JSON.stringify({
			id: 'evt_y',
			type: 'generation.completed',
			data: { model: 'sora-2' },
		});
		const sig2 = createHmac('sha256', SECRET).update(`evt_y.${ts}.${noTask}`).digest('hex');
		const missingTask = await fetch(url, {
			method: 'POST',
			body: noTask,
			headers: {
				'x-toapis-webhook-id': 'evt_y',
				'x-toapis-webhook-timestamp': String(ts),
				'x-toapis-webhook-signature': `v1=${sig2}`,
			},
		});
		expect(missingTask.status).toBe(400);
		expect(host.executions).toHaveLength(0);
	});

	it('without a signing secret the trigger answers 500, toapis retries, and the event arrives once the secret is set', async () => {
		host.credentials.webhookSecret = '';
		sim.webhooks.configure({ retryDelaysMs: [300, 300] });
		// the user sets the secret right after the first refusal: before the answer leaves, so no retry timer can win
		host.onAnswer = ({ status }) => {
			if (status === 500) host.credentials.webhookSecret = SECRET;
		};
		await generate({});
		const deliveries = await settled(2);
		expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
			[1, 500],
			[2, 200],
		]);
		expect(host.executions).toHaveLength(1);
	});

	it('non-2xx answers are retried on the configured schedule, and the retries are bounded', async () => {
		host.failNext(2, 503);
		await generate({});
		let deliveries = await settled(3);
		expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
			[1, 503],
			[2, 503],
			[3, 200],
		]);
		expect(host.executions).toHaveLength(1);

		sim.webhooks.reset();
		host.failNext(10, 502);
		await generate({});
		deliveries = await settled(4);
		expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
		expect(host.executions).toHaveLength(1);
	});
});

describe('activation', () => {
	it('refuses to activate without a toapis credential that has a signing secret, and registers nothing remotely', async () => {
		const { webhookMethods } = new SoraTrigger();
		const hook = (credentials: IDataObject) => ({
			getCredentials: async () => credentials,
			getNode: () => ({ name: 'Sora Trigger' }),
		});
		await expect(
			webhookMethods.default.create.call(hook({ apiFlavor: 'toapis', webhookSecret: '' }) as never),
		).rejects.toThrow(/needs a toapis Sora API credential with a Webhook Signing Secret/);
		await expect(
			webhookMethods.default.create.call(
				hook({ apiFlavor: 'azure', webhookSecret: SECRET }) as never,
			),
		).rejects.toThrow(/needs a toapis/);
		await expect(
			webhookMethods.default.create.call(
				hook({ apiFlavor: 'toapis', webhookSecret: SECRET }) as never,
			),
		).resolves.toBe(true);
		expect(await webhookMethods.default.checkExists.call(hook({}) as never)).toBe(false);
		expect(await webhookMethods.default.delete.call(hook({}) as never)).toBe(true);
	});
});

describe('signatures and the replay store', () => {
	it('verifySignature takes either of two signatures and nothing else', () => {
		const body = Buffer.from('{"id":"evt_1"}');
		const good = createHmac('sha256', SECRET).update(`evt_1.100.${body}`).digest('hex');
		const other = createHmac('sha256', OLD_SECRET).update(`evt_1.100.${body}`).digest('hex');
		expect(verifySignature(SECRET, 'evt_1', '100', body, `v1=${good}`)).toBe(true);
		expect(verifySignature(SECRET, 'evt_1', '100', body, `v1=${other},v1=${good}`)).toBe(true);
		expect(verifySignature(SECRET, 'evt_1', '100', body, `v1=${other}`)).toBe(false);
		expect(verifySignature(SECRET, 'evt_1', '101', body, `v1=${good}`)).toBe(false);
		expect(verifySignature(SECRET, 'evt_2', '100', body, `v1=${good}`)).toBe(false);
		expect(verifySignature(SECRET, 'evt_1', '100', body, `v0=${good}`)).toBe(false);
		expect(verifySignature(SECRET, 'evt_1', '100', body, `v1=${good.slice(0, 63)}`)).toBe(false);
	});

	it('the store in the workflow static data is bounded in count and age', () => {
		const staticData: IDataObject = {};
		const ctx = {
			getWorkflow: () => ({ id: 'wf-store' }),
			getNode: () => ({ id: 'n1' }),
			getWorkflowStaticData: () => staticData,
		};
		const t0 = 1_800_000_000;
		expect(rememberEvent(ctx as never, 'evt_old', t0)).toBe(false);
		expect(rememberEvent(ctx as never, 'evt_old', t0 + 10)).toBe(true);
		for (let i = 0; i < SEEN_EVENTS_MAX + 50; i++)
			rememberEvent(ctx as never, `evt_${i}`, t0 + SEEN_EVENTS_TTL_SECONDS + i);
		const seen = staticData.seenEvents as Record<string, number>;
		expect(Object.keys(seen)).toHaveLength(SEEN_EVENTS_MAX);
		expect(seen.evt_old).toBeUndefined();
		expect(seen[`evt_${SEEN_EVENTS_MAX + 49}`]).toBeDefined();
	});
});

describe('Sora Generate: Callback URL and Client Business ID are checked before anything is sent', () => {
	it('a callback on another host, a missing Webhook URL and the OpenAI flavors are refused with 0 requests', async () => {
		const other = await generate({ callbackUrl: 'https://evil.example.com/hook' });
		expect(other.error?.message).toBe(
			`Callback URL is "https://evil.example.com/hook", but a callback URL may only change the path and query of the credential's Webhook URL: it must start with ${new URL(sim.webhooks.config.defaultUrl!).origin}/ (or be a path like /webhook/...)`,
		);
		const noBase = await runNode(SoraGenerate, {
			parameters: {
				prompt: 'x',
				model: rl('sora-2'),
				waitForCompletion: false,
				additionalFields: { callbackUrl: '/hook' },
			},
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(noBase.error?.message).toMatch(
			/Callback URL is "\/hook", but the Sora API credential has no Webhook URL/,
		);
		const openAi = await runNode(SoraGenerate, {
			parameters: {
				prompt: 'x',
				model: rl('sora-2'),
				waitForCompletion: false,
				additionalFields: { clientBusinessId: 'row-1' },
			},
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		expect(openAi.error?.message).toMatch(/Client Business ID is a toapis feature/);
		const tooLong = await generate({ clientBusinessId: 'x'.repeat(256) });
		expect(tooLong.error?.message).toMatch(
			/Client Business ID is "x+\.\.\.", but it must be at most 255 characters/,
		);
		expect(sim.requestsTo('api')).toHaveLength(0);
	});

	it('without the fields nothing webhook-related is sent; the signing secret never leaves n8n', async () => {
		sim.webhooks.configure({ defaultUrl: undefined });
		const result = await runNode(SoraGenerate, {
			parameters: { prompt: 'x', model: rl('sora-2'), waitForCompletion: false },
			credentials: { ...credentialsFor(sim, 'toapis'), webhookSecret: SECRET },
		});
		expect(result.error).toBeUndefined();
		// the business id is the node's own (lost answers are looked up by it); no callback_url
		expect(Object.keys(sim.submissions[0].body as IDataObject)).toEqual([
			'model',
			'prompt',
			'client_business_id',
		]);
		expect(allText(sim.requests)).not.toContain(SECRET);
	});
});

describe('Sora Trigger answers toapis in time, whatever the video size, and loses no event', () => {
	it('a video slower to fetch than the answer window: "not yet" (503) within the window, then one execution with the whole file', async () => {
		const bytes = 3 * 1024 * 1024;
		sim.webhooks.configure({ retryDelaysMs: [100, 300, 1000, 2000, 4000] });
		await generate({}, `A long take [sim:bytes=${bytes}] [sim:bps=${1024 * 1024}]`);
		await waitUntil(
			() => host.executions.length === 1 && sim.webhooks.pending === 0,
			'one execution and no delivery pending',
		);
		const deliveries = sim.webhooks.deliveries;
		// every delivery is answered within the window (plus a margin for a busy machine), never with a duplicate's 200
		expect(deliveries[0].status).toBe(503);
		expect(deliveries.at(-1)!.status).toBe(200);
		expect(deliveries.every((d) => d.status === 503 || d === deliveries.at(-1))).toBe(true);
		const [item] = host.executions[0];
		expect(host.read(item.binary!.data).length).toBe(bytes);
		expect(host.executions).toHaveLength(1);
	});

	it('an event is marked seen only when its execution starts: a delivery during the download is not taken for a duplicate', async () => {
		sim.webhooks.configure({ retryDelaysMs: [100, 300, 1000, 2000, 4000] });
		sim.webhooks.inject({ kind: 'duplicate' });
		await generate({}, `A long take [sim:bytes=${2 * 1024 * 1024}] [sim:bps=${1024 * 1024}]`);
		await waitUntil(
			() => host.executions.length === 1 && sim.webhooks.pending === 0,
			'one execution and no delivery pending',
		);
		// the answer that started the execution has no body; every one before it said "not yet", none "duplicate"
		const answers = sim.webhooks.deliveries.map((d) => ({
			status: d.status,
			body: JSON.parse(d.responseBody || '{}') as IDataObject,
		}));
		const started = answers.findIndex((a) => a.status === 200 && !a.body.received);
		expect(started).toBeGreaterThan(0);
		expect(
			answers.slice(0, started).map((a) => [a.status, a.body.retry ? 'not yet' : a.body]),
		).toEqual(Array(started).fill([503, 'not yet']));
		expect(host.executions).toHaveLength(1);
	});

	it("a signature in upper-case hex is not toapis' (it signs in lower-case hex)", () => {
		const body = Buffer.from('{"id":"evt_1","type":"endpoint.test"}');
		const hex = createHmac('sha256', SECRET).update(`evt_1.1700000000.`).update(body).digest('hex');
		expect(verifySignature(SECRET, 'evt_1', '1700000000', body, `v1=${hex}`)).toBe(true);
		expect(verifySignature(SECRET, 'evt_1', '1700000000', body, `v1=${hex.toUpperCase()}`)).toBe(
			false,
		);
	});
});
