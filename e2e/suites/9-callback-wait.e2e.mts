/**
 * Sora Generate's Wait Mode "Until toapis Calls Back" in a real n8n 2.41.1 (`n8n start`, a published workflow started
 * by its webhook): the execution parks after the submits, the simulator signs and sends one toapis callback per task
 * to the execution's resume URL, and the last one resumes it. Measured: wall time against the task time, status reads
 * (0 expected), the execution's state while parked; forged, stale and replayed callbacks resume nothing; a task that
 * never calls back comes out at Max Wait with its id; n8n's main restarted while parked loses nothing.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'flatted';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startN8n, type N8nStack, type WorkflowSpec } from '../harness/n8n.mts';
import { waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { soraCredential } from '../harness/workflows.mts';

const CRED = 'soraCallback0001';
const BATCH = 'soraCallbackBat1';
const TASK_MS = 3000;
const SECRET = randomBytes(32).toString('hex');
const log = (line: string) => console.log(`  ${line}`);

let sim: Simulator;
let n8n: N8nStack;

/** Webhook (?items=N&prompt=…) → Code (N rows) → Sora Generate (callback wait) → Sora Task Status (download) */
function batchWorkflow(maxWait: number): WorkflowSpec {
	const node = (n: number) => `9c000000-0000-4000-8000-00000000000${n}`;
	return {
		id: BATCH,
		name: 'Callback wait: batch',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{ id: node(1), name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: '9c000000-0000-4000-8000-0000000000a1', position: [0, 0], parameters: { path: 'sora-callback-batch', responseMode: 'onReceived', options: {} } },
			{
				id: node(2),
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: "const q = $input.first().json.query;\nconst prompts = q.prompts ? String(q.prompts).split('|') : Array.from({ length: Number(q.items) }, (_, i) => `A lighthouse at dusk #${i + 1}`);\nreturn prompts.map((prompt, i) => ({ json: { row: i + 1, prompt } }));" },
			},
			{
				id: node(3),
				name: 'Sora Generate',
				type: 'n8n-nodes-sora.soraGenerate',
				typeVersion: 1,
				position: [400, 0],
				credentials: { soraApi: { id: CRED, name: 'Sora (toapis)' } },
				onError: 'continueErrorOutput',
				parameters: {
					model: { __rl: true, mode: 'list', value: 'sora-2' },
					prompt: '={{ $json.prompt }}',
					duration: 10,
					aspectRatio: '16:9',
					waitForCompletion: true,
					waitMode: 'callback',
					maxWaitTime: `={{ Number($('Start').first().json.query.maxWait ?? ${maxWait}) }}`,
				},
			},
			{
				id: node(4),
				name: 'Sora Task Status',
				type: 'n8n-nodes-sora.soraTaskStatus',
				typeVersion: 1,
				position: [600, 0],
				credentials: { soraApi: { id: CRED, name: 'Sora (toapis)' } },
				parameters: { taskId: '={{ $json.id }}', downloadVideo: true },
			},
			{ id: node(5), name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, 200], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'Sora Generate', type: 'main', index: 0 }]] },
			'Sora Generate': { main: [[{ node: 'Sora Task Status', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] },
		},
	};
}

interface Execution {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt?: string;
	waitTill?: string | null;
}

async function latestExecution(): Promise<Execution | undefined> {
	const list = await n8n.rest<{ data: { results: Execution[] } }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: BATCH }))}&limit=1`);
	return list.data.results[0];
}

type RunData = Record<string, Array<{ startTime: number; executionTime: number; data?: { main: Array<Array<{ json: Record<string, any>; binary?: Record<string, unknown> }> | null> } }>>;

/** When a node's last run ended (epoch ms) */
const endOf = (data: RunData, node: string) => data[node].at(-1)!.startTime + data[node].at(-1)!.executionTime;

async function runData(id: string): Promise<RunData> {
	const execution = await n8n.rest<{ data: { data: string } }>('GET', `/rest/executions/${id}`);
	// The REST API answers the execution's data in n8n's flatted form.
	return parse(execution.data.data).resultData.runData;
}

/** Starts a batch (query: items=N or prompts=a|b, maxWait=s); the new execution's id once n8n has it */
async function start(query: Record<string, string | number>): Promise<string> {
	const previous = (await latestExecution())?.id;
	const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
	const started = await fetch(`${n8n.baseUrl}/webhook/sora-callback-batch?${params}`);
	expect(started.status).toBe(200);
	let id = '';
	await waitFor('the batch execution to appear', async () => {
		id = (await latestExecution())?.id ?? '';
		return id !== '' && id !== previous;
	}, 60_000, 50);
	return id;
}

async function statusOf(id: string): Promise<string> {
	return (await n8n.rest<{ data: { status: string } }>('GET', `/rest/executions/${id}`)).data.status;
}

/** Waits for the execution to reach a status in `until` (default: any end) */
async function settle(id: string, until = (status: string) => !['running', 'waiting', 'new', 'unknown'].includes(status), timeoutMs = 120_000): Promise<string> {
	let status = '';
	await waitFor(`execution ${id} to settle`, async () => until((status = await statusOf(id))), timeoutMs, 100);
	return status;
}

/** Starts a batch and waits for its execution to end; the figures of the run */
async function runBatch(items: number): Promise<{ execution: Execution; seconds: number; reads: number; submits: number }> {
	const before = await sim.stats();
	const t0 = Date.now();
	const id = await start({ items });
	await settle(id);
	const seconds = (Date.now() - t0) / 1000;
	const after = await sim.stats();
	return { execution: (await latestExecution())!, seconds, reads: after.statusReads - before.statusReads, submits: after.acceptedSubmissions - before.acceptedSubmissions };
}

type Deliveries = Array<{ eventId: string; taskId?: string; url: string; variant: string; at: number; answeredInMs?: number; status?: number; attempt: number; responseBody?: string }>;

async function deliveries(): Promise<Deliveries> {
	return ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: Deliveries }).deliveries;
}

/** The simulator sends one delivery now: "status responseBody" */
async function send(body: unknown): Promise<string> {
	const answer = await sim.control<{ status: number; responseBody: string }>('/__sim/webhooks/send', body);
	return `${answer.status} ${answer.responseBody ?? ''}`;
}

beforeAll(async () => {
	sim = await startSimulatorProcess({ durationMs: TASK_MS, rateLimit: '20,50,50,500' });
	n8n = await startN8n({ label: 'sora-callback', start: false });
	const defaultUrl = `${n8n.baseUrl}/webhook/sora-token-default`;
	await sim.control('/__sim/webhooks', { defaultUrl, secret: SECRET, retryDelaysMs: [500, 1000, 2000, 4000, 8000, 16000, 30000] });
	await n8n.importCredentials([soraCredential(CRED, 'toapis', sim.url, sim.apiKey, { webhookUrl: defaultUrl, webhookSecret: SECRET }, 'Sora (toapis)')]);
	await n8n.importWorkflows([batchWorkflow(120)]);
	await n8n.publish([BATCH]);
	n8n.config.waitForWebhooks = [{ path: 'sora-callback-batch', method: 'GET' }];
	await n8n.startMain();
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

describe('Wait Mode "Until toapis Calls Back" in a real n8n', () => {
	it(`10 items of ${TASK_MS / 1000} s tasks: resumed by the callbacks, 0 status reads while waiting, every video downloaded after the resume`, async () => {
		const run = await runBatch(10);
		const data = await runData(run.execution.id);
		const generated = data['Sora Generate'].at(-1)!.data!.main[0]!;
		const downloaded = data['Sora Task Status'][0].data!.main[0]!;
		// Sora Generate's wait: from the end of the node before it to the end of its resumed run.
		const generateSeconds = (endOf(data, 'Sora Generate') - endOf(data, 'Rows')) / 1000;
		log(`10 items: Sora Generate ${generateSeconds.toFixed(2)} s from its start to its resumed output = ${(generateSeconds / (TASK_MS / 1000)).toFixed(2)}× the task time; ${run.seconds.toFixed(2)} s from the trigger to the end of the execution (with Sora Task Status' downloads); ${run.submits} submits; status reads by Sora Generate: ${run.reads - downloaded.length} (Sora Task Status read ${downloaded.length})`);
		expect(generateSeconds).toBeGreaterThanOrEqual(TASK_MS / 1000);
		const t0 = endOf(data, 'Rows');
		log(`callbacks (ms after Sora Generate started + ms to answer: status): ${(await deliveries()).slice(-10).map((d) => `${d.at - t0}+${d.answeredInMs}:${d.status}${d.attempt > 1 ? `#${d.attempt}` : ''}`).join(' ')}; resumed run started at ${data['Sora Generate'].at(-1)!.startTime - t0} ms`);
		expect(run.execution.status).toBe('success');
		expect(run.submits).toBe(10);
		expect(generated.map((item) => item.json.status)).toEqual(Array(10).fill('completed'));
		expect(downloaded.filter((item) => item.binary?.data)).toHaveLength(10);
		// Sora Generate read nothing: the only reads are Sora Task Status' one per item.
		expect(run.reads).toBe(10);
	});

	it('a task that ends failed goes to the error output with its id; the others to the main output, paired with their rows', async () => {
		const id = await start({ prompts: 'A calm sea|A forbidden scene [sim:fail]|A quiet forest' });
		expect(await settle(id)).toBe('success');
		const data = await runData(id);
		const main = data['Sora Generate'].at(-1)!.data!.main;
		expect(main[0]!.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(main[1]).toHaveLength(1);
		const failed = main[1]![0];
		expect(failed.json.error.message).toMatch(/^Sora task \S+ failed/);
		expect(failed.json.details.status).toBe('failed');
		expect(failed.json.details.id).toMatch(/\S/);
		expect((main[0]![1] as { pairedItem?: unknown }).pairedItem).toEqual({ item: 2 });
		expect(data['Failed'][0].data!.main[0]).toHaveLength(1);
		log(`main: ${main[0]!.length} completed; error output: ${failed.json.error.message}`);
	});

	it('forged, stale and unsigned callbacks are refused (401) and resume nothing; a replayed one resumes nothing; the genuine one resumes', async () => {
		const submitsBefore = (await sim.stats()).acceptedSubmissions;
		const id = await start({ prompts: 'A fast shot [sim:ms=1000]|A slow shot [sim:ms=9000]' });
		// Once the fast task has called back, the execution waits for the slow one.
		let fast: Deliveries[number] | undefined;
		await waitFor('the fast task\'s callback', async () => {
			fast = (await deliveries()).find((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status === 200);
			return fast !== undefined;
		}, 30_000, 100);
		expect(await statusOf(id)).toBe('waiting');
		const slowId = (await runData(id).catch(() => ({}) as RunData))['Sora Generate']?.at(-1)?.data?.main[0]?.[1]?.json.id as string | undefined;
		expect(slowId).toBeTruthy();
		const claim = { type: 'generation.completed', data: { task_id: slowId, status: 'SUCCESS', progress: '100%', result: { type: 'video', data: [{ url: `${sim.cdnUrl}/forged.mp4` }] } } };
		const answers = {
			forged: await send({ url: fast!.url, variant: 'forged', event: claim }),
			stale: await send({ url: fast!.url, variant: 'stale', event: claim }),
			replayed: await send({ replayOf: fast!.eventId }),
		};
		const unsigned = await fetch(fast!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'evt_x', ...claim }) });
		log(`forged: ${answers.forged}; stale: ${answers.stale}; replayed: ${answers.replayed}; unsigned: ${unsigned.status}`);
		expect(answers.forged).toMatch(/^401 .*invalid_signature/);
		expect(answers.stale).toMatch(/^401 .*stale_timestamp/);
		expect(answers.replayed).toMatch(/^200 /);
		expect(unsigned.status).toBe(401);
		expect(await statusOf(id)).toBe('waiting');
		expect(await settle(id)).toBe('success');
		const outputs = (await runData(id))['Sora Generate'].at(-1)!.data!.main[0]!;
		expect(outputs.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(String(outputs[1].json.videoUrl)).not.toContain('forged');
		expect((await sim.stats()).acceptedSubmissions - submitsBefore).toBe(2);
		// After the resume, a replay reaches a finished execution: n8n refuses it, nothing runs again.
		const late = await send({ replayOf: fast!.eventId });
		log(`replay after the resume: ${late.slice(0, 120)}`);
		expect(late).toMatch(/^409 /);
	});

	it('a callback that never comes: at Max Wait the execution resumes and the task comes out with its id and what to do', async () => {
		await sim.control('/__sim/webhooks/faults', { kind: 'lost' });
		const t0 = Date.now();
		const id = await start({ prompts: 'A lost callback', maxWait: 5 });
		expect(await settle(id, undefined, 180_000)).toBe('success');
		const item = (await runData(id))['Sora Generate'].at(-1)!.data!.main[0]![0];
		log(`resumed by n8n after ${((Date.now() - t0) / 1000).toFixed(0)} s (Max Wait 5 s; n8n checks parked executions every minute): ${item.json.error.message}`);
		expect(item.json.id).toMatch(/\S/);
		expect(item.json.error.message).toContain(`task ${item.json.id}`);
		expect(item.json.error.description).toContain('Sora Task Status');
	});

	it('n8n\'s main restarted while parked: the callbacks toapis retries resume the execution; nothing paid twice', async () => {
		const submitsBefore = (await sim.stats()).acceptedSubmissions;
		const readsBefore = (await sim.stats()).statusReads;
		const id = await start({ prompts: 'One [sim:ms=6000]|Two [sim:ms=6000]|Three [sim:ms=9000]' });
		await settle(id, (status) => status === 'waiting', 30_000);
		await n8n.stopMain();
		log('main stopped while the execution was parked');
		// The first two tasks end and call back while n8n is down: refused connections, retried.
		await waitFor('two callbacks refused', async () => (await deliveries()).filter((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status === undefined).length >= 2, 60_000, 200);
		await n8n.startMain();
		expect(await settle(id)).toBe('success');
		const outputs = (await runData(id))['Sora Generate'].at(-1)!.data!.main[0]!;
		const stats = await sim.stats();
		log(`after the restart: ${outputs.map((item) => item.json.status).join(', ')}; ${stats.acceptedSubmissions - submitsBefore} submits; ${stats.statusReads - readsBefore - 3} status reads by Sora Generate`);
		expect(outputs.map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed']);
		expect(stats.acceptedSubmissions - submitsBefore).toBe(3);
	});
});
