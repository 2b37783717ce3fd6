/**
 * Runs of the callback batch workflow (workflows.mts callbackBatchWorkflow) in a real n8n, for the callback-wait
 * suites and bench:callback: start one by its webhook, wait for its execution to end, and read its run data and the
 * simulator's figures of it.
 */
import { parse } from 'flatted';
import type { N8nStack } from './n8n.mts';
import { waitFor } from './processes.mts';
import type { Simulator } from './simulator.mts';

export interface Execution {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt?: string;
	waitTill?: string | null;
}

export type RunData = Record<string, Array<{ startTime: number; executionTime: number; data?: { main: Array<Array<{ json: Record<string, any>; binary?: Record<string, unknown> }> | null> } }>>;

/** When a node's last run ended (epoch ms) */
export const endOf = (data: RunData, node: string) => data[node].at(-1)!.startTime + data[node].at(-1)!.executionTime;

export async function latestExecution(n8n: N8nStack, workflowId: string): Promise<Execution | undefined> {
	const list = await n8n.rest<{ data: { results: Execution[] } }>('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=1`);
	return list.data.results[0];
}

export async function runData(n8n: N8nStack, id: string): Promise<RunData> {
	const execution = await n8n.rest<{ data: { data: string } }>('GET', `/rest/executions/${id}`);
	// The REST API answers the execution's data in n8n's flatted form.
	return parse(execution.data.data).resultData.runData;
}

export async function statusOf(n8n: N8nStack, id: string): Promise<string> {
	return (await n8n.rest<{ data: { status: string } }>('GET', `/rest/executions/${id}`)).data.status;
}

/** Starts a batch at /webhook/<path>?query; the new execution's id once n8n has it */
export async function startBatch(n8n: N8nStack, workflowId: string, query: Record<string, string | number>, path = 'sora-callback-batch'): Promise<string> {
	const previous = (await latestExecution(n8n, workflowId))?.id;
	const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
	const started = await fetch(`${n8n.baseUrl}/webhook/${path}?${params}`);
	if (started.status !== 200) throw new Error(`/webhook/${path} answered ${started.status}: ${await started.text()}`);
	let id = '';
	await waitFor('the batch execution to appear', async () => {
		id = (await latestExecution(n8n, workflowId))?.id ?? '';
		return id !== '' && id !== previous;
	}, 60_000, 50);
	return id;
}

/** Waits for the execution to reach a status in `until` (default: any end) */
export async function settle(n8n: N8nStack, id: string, until = (status: string) => !['running', 'waiting', 'new', 'unknown'].includes(status), timeoutMs = 120_000): Promise<string> {
	let status = '';
	await waitFor(`execution ${id} to settle`, async () => until((status = await statusOf(n8n, id))), timeoutMs, 100);
	return status;
}

export interface BatchRun {
	execution: Execution;
	/** From the trigger to the end of the execution, as the caller saw it */
	seconds: number;
	/** Status reads and accepted submits the simulator counted during the run */
	reads: number;
	submits: number;
}

/** Starts a batch and waits for its execution to end; the figures of the run */
export async function runBatch(n8n: N8nStack, sim: Simulator, workflowId: string, query: Record<string, string | number>): Promise<BatchRun> {
	const before = await sim.stats();
	const t0 = Date.now();
	const id = await startBatch(n8n, workflowId, query);
	await settle(n8n, id);
	const seconds = (Date.now() - t0) / 1000;
	const after = await sim.stats();
	return { execution: (await latestExecution(n8n, workflowId))!, seconds, reads: after.statusReads - before.statusReads, submits: after.acceptedSubmissions - before.acceptedSubmissions };
}

export type Deliveries = Array<{ eventId: string; taskId?: string; url: string; variant: string; at: number; answeredInMs?: number; status?: number; attempt: number; responseBody?: string }>;

/** Every callback the simulator has sent */
export async function deliveries(sim: Simulator): Promise<Deliveries> {
	return ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: Deliveries }).deliveries;
}
