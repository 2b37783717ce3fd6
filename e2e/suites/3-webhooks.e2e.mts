/**
 * Event-driven pipeline in a real n8n 2.41.1 (`n8n start`, published workflows): examples/webhook-submit.json
 * submits 20 videos without waiting, each with a Client Business ID and a Callback URL; the simulator signs and
 * delivers a toapis webhook per finished task to examples/webhook-receive.json (Sora Trigger → Write Files).
 * Then: a forged signature, a stale timestamp, a replayed event, an unsigned and a malformed request each start no
 * execution; the replay store survives a restart of n8n; no secret in n8n's log.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SHA, sha256 } from '../harness/checks.mts';
import { startN8n, type N8nStack } from '../harness/n8n.mts';
import { sleep, waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { example, soraCredential } from '../harness/workflows.mts';

const TRIGGER_PATH = '5e1b0a2c-0000-4000-8000-00000000a001/webhook';
const RECEIVE = 'soraHookReceive1';
const SECRET = randomBytes(32).toString('hex');
const log = (line: string) => console.log(`  ${line}`);

let sim: Simulator;
let n8n: N8nStack;
let deliveries: Array<{ type: string; eventId: string; status: number; responseBody: string }> = [];
let event = '';
let before = 0;
let after = 0;
const answers: Record<string, string> = {};

beforeAll(async () => {
	sim = await startSimulatorProcess();
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

/** The simulator sends (or replays) a delivery: "status responseBody" */
async function send(body: unknown): Promise<string> {
	const answer = await sim.control<{ status: number; responseBody: string }>('/__sim/webhooks/send', body);
	return `${answer.status} ${answer.responseBody}`;
}

describe('Sora Trigger: signed toapis webhooks into a published workflow', () => {
	it('endpoint.test answered by the published Sora Trigger', async () => {
		// the credential holds n8n's own URL: imported once the stack has its port
		n8n = await startN8n({
			label: 'sora-webhooks',
			files: true,
			start: false,
		});
		const defaultUrl = `${n8n.baseUrl}/webhook/sora-default-unused`;
		// The token's default URL points at a path n8n does not serve: every event must travel by its callback_url.
		await sim.control('/__sim/webhooks', { defaultUrl, secret: SECRET, retryDelaysMs: [500, 1000, 2000, 4000] });
		await n8n.importCredentials([soraCredential('soraWebhooks0001', 'toapis', sim.url, sim.apiKey, { webhookUrl: defaultUrl, webhookSecret: SECRET }, 'Sora API account')]);
		await n8n.importWorkflows([
			example('webhook-submit.json', 'soraHookSubmit01', 'soraWebhooks0001'),
			example('webhook-receive.json', RECEIVE, 'soraWebhooks0001', { replace: { '/home/node/.n8n-files': n8n.filesDir! } }),
		]);
		await n8n.publish(['soraHookSubmit01', RECEIVE]);
		n8n.config.waitForWebhooks = [{ path: TRIGGER_PATH, method: 'POST', status: 401 }];
		await n8n.startMain();
		const answer = await send({ type: 'endpoint.test', url: `${n8n.baseUrl}/webhook/${TRIGGER_PATH}` });
		expect(answer).toMatch(/^200 .*"test":true/);
		log(answer);
	});

	it('workflow 1 submitted 20 videos without waiting, each with its Client Business ID', async () => {
		const t0 = Date.now();
		const batch = (await (await fetch(`${n8n.baseUrl}/webhook/sora-start-batch`)).json()) as Array<{ id?: string; clientBusinessId?: string }>;
		expect(batch.filter((x) => x.id && x.clientBusinessId)).toHaveLength(20);
		answers.t0 = String(t0);
	});

	it('20 videos arrived through signed webhooks: files row-01..row-20.mp4 equal to the simulator\'s video, 20 executions, 0 polls', async () => {
		const files = () => readdirSync(n8n.filesDir!).filter((f) => f.endsWith('.mp4'));
		await waitFor('20 files and 20 executions', async () => files().length >= 20 && (await n8n.executions.count(RECEIVE)) >= 20, 60_000);
		const secs = (Date.now() - Number(answers.t0)) / 1000;
		await sleep(1000);
		for (let i = 1; i <= 20; i++) {
			const file = join(n8n.filesDir!, `row-${String(i).padStart(2, '0')}.mp4`);
			expect(existsSync(file), file).toBe(true);
			expect(sha256(readFileSync(file)), file).toBe(SAMPLE_SHA);
		}
		expect(files()).toHaveLength(20);
		const state = await sim.state();
		// polls: reads of a task by its id (each row's Client Business ID is looked up once before its submit: no poll)
		const reads = state.requests.filter((r) => r.method === 'GET' && /^\/v1\/videos\/generations\/video_/.test(r.path)).length;
		deliveries = ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: typeof deliveries }).deliveries;
		const taskDeliveries = deliveries.filter((d) => d.type !== 'endpoint.test');
		const executions = await n8n.executions.list(RECEIVE);
		expect(reads).toBe(0);
		expect(await n8n.executions.count(RECEIVE)).toBe(20);
		expect(executions.filter((x) => x.status === 'success')).toHaveLength(20);
		log(`${secs.toFixed(1)} s; events ${new Set(taskDeliveries.map((d) => d.eventId)).size}, deliveries ${taskDeliveries.length} (${taskDeliveries.filter((d) => d.status !== 200).length} refused), polls ${reads}`);
	});

	it('an accepted event is answered 200 with an empty body once its execution has started', () => {
		// the first delivery n8n accepted (under load the simulator may redeliver an event whose answer was slow: the
		// redelivery is then answered as a duplicate, which the replay test below covers)
		const accepted = deliveries.find((d) => d.type === 'generation.completed' && d.status === 200 && !d.responseBody.includes('"duplicate":true'));
		expect(accepted).toBeDefined();
		event = accepted!.eventId;
		expect(accepted!.responseBody).toBe('');
	});

	describe('deliveries that must start nothing', () => {
		beforeAll(async () => {
			before = await n8n.executions.count(RECEIVE);
			answers.forged = await send({ replayOf: event, variant: 'forged' });
			answers.stale = await send({ replayOf: event, variant: 'stale' });
			answers.replay = await send({ replayOf: event, variant: 'duplicate' });
			const unsigned = await fetch(`${n8n.baseUrl}/webhook/${TRIGGER_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"evt_x","type":"generation.completed"}' });
			answers.unsigned = String(unsigned.status);
			// correctly signed, but not a task event: 400
			const body = JSON.stringify({ id: 'evt_malformed', type: 'generation.completed', data: { model: 'sora-2' } });
			const ts = Math.floor(Date.now() / 1000);
			const sig = createHmac('sha256', SECRET).update(`evt_malformed.${ts}.${body}`).digest('hex');
			const malformed = await fetch(`${n8n.baseUrl}/webhook/${TRIGGER_PATH}`, {
				method: 'POST',
				body,
				headers: { 'content-type': 'application/json', 'x-toapis-webhook-id': 'evt_malformed', 'x-toapis-webhook-timestamp': String(ts), 'x-toapis-webhook-signature': `v1=${sig}` },
			});
			answers.malformed = String(malformed.status);
			await sleep(2000);
			after = await n8n.executions.count(RECEIVE);
		});
		it('forged signature: 401 invalid_signature', () => expect(answers.forged).toMatch(/^401 .*invalid_signature/));
		it('stale timestamp (1 h old, correctly signed): 401 stale_timestamp', () => expect(answers.stale).toMatch(/^401 .*stale_timestamp/));
		it('replayed event: 200, recognised as a duplicate', () => expect(answers.replay).toMatch(/^200 .*"duplicate":true/));
		it('request without signature headers: 401', () => expect(answers.unsigned).toBe('401'));
		it('signed body that is no task event: 400', () => expect(answers.malformed).toBe('400'));
		it('forged, stale, replayed, unsigned and malformed deliveries started no execution', () => expect(after).toBe(before));
	});

	it('after restarting n8n, the replayed event is still a duplicate (the replay store is in n8n\'s database)', async () => {
		await n8n.stopMain();
		await n8n.startMain();
		const replay = await send({ replayOf: event, variant: 'duplicate' });
		await sleep(1000);
		expect(replay).toMatch(/^200 .*"duplicate":true/);
		expect(await n8n.executions.count(RECEIVE)).toBe(after);
	});

	it('the signing secret and API key appear nowhere in n8n\'s log', async () => {
		await n8n.stopMain();
		const text = readFileSync(n8n.mainLog, 'utf8');
		expect(text.includes(SECRET)).toBe(false);
		expect(text.includes(sim.apiKey)).toBe(false);
	});
});
