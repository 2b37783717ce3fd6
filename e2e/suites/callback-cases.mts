/**
 * What the callback-wait suites share (9-callback-wait*.e2e.mts): a published workflow started by its webhook —
 * Code (N rows) → Sora Generate (Wait Mode "Until Toapis Calls Back") → Sora Task Status (download) — on a real n8n
 * 2.41.1 and the simulator, which signs and sends one toapis callback per task to the execution's resume URL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import * as batches from '../harness/callback-batch.mts';
export { endOf, type Deliveries, type RunData } from '../harness/callback-batch.mts';
import { startN8n, type N8nConfig, type N8nStack } from '../harness/n8n.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { callbackBatchWorkflow, example, soraCredential } from '../harness/workflows.mts';

export const CRED = 'soraCallback0001';
const BATCH = 'soraCallbackBat1';
/** examples/callback-wait.json, started at /webhook/sora-callback-batch-example */
export const EXAMPLE = 'soraCallbackExa1';
export const TASK_MS = 3000;
export const SECRET = randomBytes(32).toString('hex');
export const log = (line: string) => console.log(`  ${line}`);

export let sim: Simulator;
export let n8n: N8nStack;

/** The batch workflow's latest execution */
export const latestExecution = () => batches.latestExecution(n8n, BATCH);
export const runData = (id: string) => batches.runData(n8n, id);
export const statusOf = (id: string) => batches.statusOf(n8n, id);
export const settle = (id: string, until?: (status: string) => boolean, timeoutMs?: number) => batches.settle(n8n, id, until, timeoutMs);
export const deliveries = () => batches.deliveries(sim);
/** Starts a batch (query: items=N or prompts=a|b, maxWait=s); the new execution's id once n8n has it */
export const start = (query: Record<string, string | number>) => batches.startBatch(n8n, BATCH, query);
/** Starts a batch of N items and waits for its execution to end; the figures of the run */
export const runBatch = (items: number) => batches.runBatch(n8n, sim, BATCH, { items });

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
	await n8n.importWorkflows([callbackBatchWorkflow(BATCH, CRED, 120), example('callback-wait.json', EXAMPLE, CRED, { credentialName: 'Sora (toapis)' })]);
	await n8n.publish([BATCH, EXAMPLE]);
	n8n.config.waitForWebhooks = [{ path: 'sora-callback-batch', method: 'GET' }];
	await n8n.startMain();
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});
}
