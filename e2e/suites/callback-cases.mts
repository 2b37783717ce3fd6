/**
 * What the callback-wait suites share (9-callback-wait*.e2e.mts): a published workflow started by its webhook —
 * Code (N rows) → Sora Generate (Wait Mode "Until Toapis Calls Back") → Sora Task Status (download) — on a real n8n
 * 2.41.1 and the simulator, which signs and sends one toapis callback per task to the execution's resume URL.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'flatted';
import { afterAll, beforeAll, expect } from 'vitest';
import { startN8n, type N8nConfig, type N8nStack, type WorkflowSpec } from '../harness/n8n.mts';
import { waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { example, soraCredential } from '../harness/workflows.mts';

export const CRED = 'soraCallback0001';
const BATCH = 'soraCallbackBat1';
/** examples/callback-wait.json, started at /webhook/sora-callback-batch-example */
export const EXAMPLE = 'soraCallbackExa1';
export const TASK_MS = 3000;
export const SECRET = randomBytes(32).toString('hex');
export const log = (line: string) => console.log(`  ${line}`);

export let sim: Simulator;
export let n8n: N8nStack;

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

export async function latestExecution(): Promise<Execution | undefined> {
	const list = await n8n.rest<{ data: { results: Execution[] } }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: BATCH }))}&limit=1`);
	return list.data.results[0];
}

export type RunData = Record<string, Array<{ startTime: number; executionTime: number; data?: { main: Array<Array<{ json: Record<string, any>; binary?: Record<string, unknown> }> | null> } }>>;

/** When a node's last run ended (epoch ms) */
export const endOf = (data: RunData, node: string) => data[node].at(-1)!.startTime + data[node].at(-1)!.executionTime;

export async function runData(id: string): Promise<RunData> {
	const execution = await n8n.rest<{ data: { data: string } }>('GET', `/rest/executions/${id}`);
	// The REST API answers the execution's data in n8n's flatted form.
	return parse(execution.data.data).resultData.runData;
}

/** Starts a batch (query: items=N or prompts=a|b, maxWait=s); the new execution's id once n8n has it */
export async function start(query: Record<string, string | number>): Promise<string> {
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

export async function statusOf(id: string): Promise<string> {
	return (await n8n.rest<{ data: { status: string } }>('GET', `/rest/executions/${id}`)).data.status;
}

/** Waits for the execution to reach a status in `until` (default: any end) */
export async function settle(id: string, until = (status: string) => !['running', 'waiting', 'new', 'unknown'].includes(status), timeoutMs = 120_000): Promise<string> {
	let status = '';
	await waitFor(`execution ${id} to settle`, async () => until((status = await statusOf(id))), timeoutMs, 100);
	return status;
}

/** Starts a batch and waits for its execution to end; the figures of the run */
export async function runBatch(items: number): Promise<{ execution: Execution; seconds: number; reads: number; submits: number }> {
	const before = await sim.stats();
	const t0 = Date.now();
	const id = await start({ items });
	await settle(id);
	const seconds = (Date.now() - t0) / 1000;
	const after = await sim.stats();
	return { execution: (await latestExecution())!, seconds, reads: after.statusReads - before.statusReads, submits: after.acceptedSubmissions - before.acceptedSubmissions };
}

export type Deliveries = Array<{ eventId: string; taskId?: string; url: string; variant: string; at: number; answeredInMs?: number; status?: number; attempt: number; responseBody?: string }>;

export async function deliveries(): Promise<Deliveries> {
	return ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: Deliveries }).deliveries;
}

/** The simulator sends one delivery now: "status responseBody" */
export async function send(body: unknown): Promise<string> {
	const answer = await sim.control<{ status: number; responseBody: string }>('/__sim/webhooks/send', body);
	return `${answer.status} ${answer.responseBody ?? ''}`;
}

/** Starts the simulator and n8n (regular or queue mode) for the suite, and stops them after it */
export function useCallbackStack(config: Pick<N8nConfig, 'mode' | 'workers' | 'version'> = {}): void {
beforeAll(async () => {
	sim = await startSimulatorProcess({ durationMs: TASK_MS, rateLimit: '20,50,50,500' });
	n8n = await startN8n({ label: `sora-callback-${config.mode ?? 'regular'}-${config.version ?? 'default'}`, start: false, ...config });
	const defaultUrl = `${n8n.baseUrl}/webhook/sora-token-default`;
	await sim.control('/__sim/webhooks', { defaultUrl, secret: SECRET, retryDelaysMs: [500, 1000, 2000, 4000, 8000, 16000, 30000] });
	await n8n.importCredentials([soraCredential(CRED, 'toapis', sim.url, sim.apiKey, { webhookUrl: defaultUrl, webhookSecret: SECRET }, 'Sora (toapis)')]);
	await n8n.importWorkflows([batchWorkflow(120), example('callback-wait.json', EXAMPLE, CRED, { credentialName: 'Sora (toapis)' })]);
	await n8n.publish([BATCH, EXAMPLE]);
	n8n.config.waitForWebhooks = [{ path: 'sora-callback-batch', method: 'GET' }];
	await n8n.startMain();
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});
}
