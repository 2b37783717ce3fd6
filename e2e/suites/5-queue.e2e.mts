/**
 * n8n 2.41.1 in queue mode (PostgreSQL, Redis, main + 2 workers at --concurrency=5) with the packed package, against
 * the Sora simulator with toapis' rate limits. Cases:
 *   scale    RUNS webhook-triggered executions × ITEMS Sora Generate items (wait + download)
 *   binary   a 400 MiB video into the database binary store
 *   cap      a video above the database store's cap fails its item clearly
 *   loop     the long-job loop leaves the worker while it waits, and resumes on the surviving worker after the worker
 *            that ran it is killed (SIGKILL)
 *   kill     a worker killed (SIGKILL) during Sora Generate's in-node wait: what n8n does, where the task id is
 * `npm test` runs the reduced profile (scale 4 × 5 with burst 10, cap at 16 MiB, loop with a 70 s Wait);
 * `npm run demo:queue` (SORA_QUEUE_PROFILE=full) runs everything at full size. QUEUE_* variables override single values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SHA } from '../harness/checks.mts';
import { startN8n, type N8nStack, type Worker } from '../harness/n8n.mts';
import { memoryOf, run, sleep, waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { QUEUE_CREDENTIAL, queueWorkflows, soraCredential } from '../harness/workflows.mts';
import { runBatch, type BatchCheck, type BatchResult } from '../queue/batch-run.mts';

type QueueCase = 'scale' | 'binary' | 'cap' | 'loop' | 'kill';
interface QueueConfig {
	runs: number;
	items: number;
	/** the simulator's limits: submits/s, submit burst, queries/s, query burst */
	rateLimit: string;
	/** N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (MiB); n8n's default is 512 */
	dbMaxMiB?: number;
	waitSeconds: number;
	cases: QueueCase[];
	/** n8n's Retry On Fail on the batch node (5 tries, 5 s apart) */
	retryOnFail: boolean;
}
const PROFILES: Record<'reduced' | 'full', QueueConfig> = {
	reduced: { runs: 4, items: 5, rateLimit: '5,10,50,500', dbMaxMiB: 16, waitSeconds: 70, cases: ['scale', 'cap', 'loop'], retryOnFail: false },
	full: { runs: 20, items: 10, rateLimit: '5,50,50,500', waitSeconds: 70, cases: ['scale', 'binary', 'cap', 'loop', 'kill'], retryOnFail: false },
};
const env = process.env;
const base = PROFILES[env.SORA_QUEUE_PROFILE === 'full' ? 'full' : 'reduced'];
const config: QueueConfig = {
	runs: Number(env.QUEUE_RUNS ?? base.runs),
	items: Number(env.QUEUE_ITEMS ?? base.items),
	rateLimit: env.QUEUE_RATE_LIMIT ?? base.rateLimit,
	dbMaxMiB: env.QUEUE_DB_MAX_MB ? Number(env.QUEUE_DB_MAX_MB) : base.dbMaxMiB,
	waitSeconds: Number(env.QUEUE_WAIT_SECONDS ?? base.waitSeconds),
	cases: (env.QUEUE_CASES?.split(',') as QueueCase[] | undefined) ?? base.cases,
	retryOnFail: env.QUEUE_RETRY_ON_FAIL ? env.QUEUE_RETRY_ON_FAIL === '1' : base.retryOnFail,
};
const has = (c: QueueCase) => config.cases.includes(c);
const log = (line: string) => console.log(`  ${line}`);

let sim: Simulator;
let n8n: N8nStack;
beforeAll(async () => {
	sim = await startSimulatorProcess({ rateLimit: config.rateLimit });
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

const latestExecution = (workflowId: string) => n8n.sql(`SELECT id FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id::int DESC LIMIT 1`);
const executionStatus = (id: string) => n8n.sql(`SELECT status FROM execution_entity WHERE id = '${id}'`);

/** The batch checks of one run, one test each */
function batchCases(label: string, batch: () => BatchResult | undefined, keys: BatchCheck[]) {
	for (const key of keys)
		it(`${label}: ${key}`, () => {
			const result = batch();
			if (!result) throw new Error(`${label}: the batch did not run`);
			const check = result.checks[key];
			if (!check) throw new Error(`${label}: check ${key} was not made`);
			expect(check.ok, check.text).toBe(true);
			log(check.text);
		});
}

describe(`queue mode: main + 2 workers (${config.cases.join(', ')})`, () => {
	it('queue mode up: PostgreSQL, Redis, n8n main + 2 workers (--concurrency=5), package in 3 user folders', async () => {
		const t0 = Date.now();
		n8n = await startN8n({
			label: 'sora-queue',
			mode: 'queue',
			workers: 2,
			binaryDataMaxMiB: config.dbMaxMiB,
			credentials: [soraCredential(QUEUE_CREDENTIAL, 'toapis', sim.url, sim.apiKey)],
			workflows: queueWorkflows({ retryOnFail: config.retryOnFail, waitSeconds: config.waitSeconds }),
			publish: 'all',
			waitForWebhooks: ['sora-queue-ping'],
		});
		const pg = await n8n.sql('SHOW server_version');
		const redis = (await run('redis-server', ['--version'])).stdout.match(/v=([\d.]+)/)?.[1];
		log(`up in ${((Date.now() - t0) / 1000).toFixed(0)} s: PostgreSQL ${pg.split(' ')[0]}, Redis ${redis}; logs in ${n8n.dir}`);
		expect(n8n.workers.filter((w) => w.proc.alive())).toHaveLength(2);
	});

	describe.runIf(has('scale'))(`scale: ${config.runs} executions × ${config.items} items through the queue`, () => {
		let result: BatchResult | undefined;
		beforeAll(async () => {
			result = await runBatch({ n8n, sim, runs: config.runs, items: config.items, minMs: 2000, maxMs: 4000, label: 'scale' });
			log(`figures: ${JSON.stringify(result.figures)}`);
		});
		batchCases('scale', () => result, ['answered', 'completed', 'oneSubmission', 'noLost', 'rateLimit', 'binaryStore', 'spread']);
	});

	describe.runIf(has('binary'))('a 400 MiB video into the database binary store', () => {
		let result: BatchResult | undefined;
		beforeAll(async () => {
			result = await runBatch({ n8n, sim, runs: 1, items: 1, minMs: 1000, bytes: 400 * 1024 * 1024, label: 'binary-400MiB' });
			log(`figures: ${JSON.stringify(result.figures)}`);
		});
		batchCases('400 MiB video', () => result, ['answered', 'completed', 'oneSubmission', 'noLost', 'rateLimit', 'binaryStore']);
	});

	it.runIf(has('cap'))('a video above the database store\'s cap fails its item clearly, keeps its task id; both workers stay up', async () => {
		const cap = config.dbMaxMiB ?? 512;
		const size = (cap + 8) * 1024 * 1024;
		const t0 = Date.now();
		const alive = () => n8n.workers.filter((w) => w.proc.alive());
		const before = new Map(alive().map((w) => [w.name, memoryOf(w.proc.pid)?.now ?? 0]));
		const peak = new Map(before);
		const sampler = setInterval(() => {
			for (const w of alive()) peak.set(w.name, Math.max(peak.get(w.name) ?? 0, memoryOf(w.proc.pid)?.now ?? 0));
		}, 200);
		const answer = await fetch(`${n8n.baseUrl}/webhook/sora-queue-cap?run=cap&items=1&minMs=1000&bytes=${size}`, { signal: AbortSignal.timeout(600_000) }).finally(() => clearInterval(sampler));
		const body = (await answer.json()) as unknown;
		const line = (Array.isArray(body) ? body[0] : body) as { id?: string; error?: string; executionId?: string };
		expect(line.id).toMatch(/^video_/);
		expect(line.error).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
		expect(line.error).toContain(line.id!);
		expect(alive()).toHaveLength(2);
		const w = n8n.workerOf(String(line.executionId));
		const grew = w ? (peak.get(w.name) ?? 0) - (before.get(w.name) ?? 0) : 0;
		log(`${cap + 8} MiB > ${cap} MiB in ${((Date.now() - t0) / 1000).toFixed(0)} s: "${line.error!.slice(0, 150)}…"; the worker's RSS grew by ${grew} MiB (n8n reads the whole file before refusing it)`);
	});

	describe.runIf(has('loop'))(`long-job loop: Generate → Wait ${config.waitSeconds} s → Task Status; the worker that ran it is killed during the Wait`, () => {
		let execId = '';
		let ranOn: Worker | undefined;
		const t0 = Date.now();
		it('loop: the execution is "waiting" in the database; its worker finished its job (no active queue job) and is free', async () => {
			await fetch(`${n8n.baseUrl}/webhook/sora-queue-loop`).then((r) => r.arrayBuffer());
			const status = await waitFor('the loop execution to wait', async () => {
				execId = await latestExecution('soraQueueLoop001');
				return execId && (await executionStatus(execId)) === 'waiting' ? 'waiting' : undefined;
			}, 60_000, 500).catch(() => 'not waiting');
			ranOn = n8n.workerOf(execId);
			const active = await n8n.redisCli(['llen', 'bull:jobs:active']);
			const freed = ranOn ? (await run('grep', ['-c', `Worker finished execution ${execId} `, ranOn.log])).stdout.trim() : '0';
			expect(status).toBe('waiting');
			expect(ranOn).toBeDefined();
			expect(Number(freed)).toBeGreaterThanOrEqual(1);
			expect(active).toBe('0');
		});
		it('loop: resumed after the Wait on the surviving worker and completed; the video is in the binary store, equal to the simulator\'s', async () => {
			if (!ranOn) throw new Error('the loop did not reach its Wait on a worker');
			await ranOn.proc.kill();
			log(`killed worker ${ranOn.name} (PID ${ranOn.proc.pid}) with SIGKILL during the Wait`);
			const status = await waitFor('the loop execution to end', async () => {
				const s = await executionStatus(execId);
				return ['success', 'error', 'crashed', 'canceled'].includes(s) ? s : undefined;
			}, (config.waitSeconds + 120) * 1000, 500);
			const survivor = n8n.workerOf(execId);
			const stored = (await n8n.sql(`SELECT encode(sha256(data), 'hex') FROM binary_data WHERE "sourceId" = '${execId}'`)).split('\n')[0];
			expect(status).toBe('success');
			expect(survivor).toBeDefined();
			expect(survivor!.name).not.toBe(ranOn.name);
			expect(stored).toBe(SAMPLE_SHA);
			log(`resumed on ${survivor!.name}, completed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			await n8n.addWorker(`${ranOn.name}b`); // a fresh worker (with the package, as any new host needs)
		});
	});

	it.runIf(has('kill'))('in-node wait, worker SIGKILLed: n8n does not re-run the execution; the 3 task ids are in n8n\'s log; n8n\'s Retry of it runs no node and ends in error: nothing sent, nothing delivered', async () => {
		const before = (await sim.stats()).acceptedSubmissions;
		const call = fetch(`${n8n.baseUrl}/webhook/sora-queue-cap?run=kill&items=3&minMs=45000`, { signal: AbortSignal.timeout(900_000) }).catch(() => undefined);
		await waitFor('3 submitted tasks', async () => (await sim.stats()).acceptedSubmissions >= before + 3, 30_000, 300);
		const ids = (await sim.stats()).taskIds.slice(-3);
		const execId = await latestExecution('soraQueueCap0001');
		const worker = n8n.workerOf(execId);
		expect(worker, `the worker running execution ${execId}`).toBeDefined();
		await sleep(2000);
		await worker!.proc.kill();
		const t0 = Date.now();
		let logged = 0;
		let inData = 0;
		const { readFileSync } = await import('node:fs');
		for (const id of ids) {
			if (readFileSync(worker!.log, 'utf8').includes(`Sora task ${id} submitted`)) logged++;
			if (Number(await n8n.sql(`SELECT count(*) FROM execution_data WHERE "executionId" = '${execId}' AND data LIKE '%${id}%'`)) >= 1) inData++;
		}
		const status = await waitFor('n8n to give up the execution', async () => {
			const s = await executionStatus(execId);
			return ['running', 'new'].includes(s) ? undefined : s;
		}, 300_000, 500);
		const afterStatus = (Date.now() - t0) / 1000;
		const rerunBy = n8n.workers.filter((w) => w !== worker && readFileSync(w.log, 'utf8').includes(`Worker started execution ${execId} `)).length;
		// What a user might do next in the UI: retry the failed execution (REST, as the editor's "Retry" button)
		// n8n replaced the crashed execution's data with the stall error (no node left to run), so the Retry, which runs
		// what was saved, runs no node: it ends in error at once, sends nothing and delivers nothing (e2e/suites/8-paid-work)
		const retry = await n8n.rest('POST', `/rest/executions/${execId}/retry`, { loadWorkflow: false });
		const retryId = await n8n.sql(`SELECT id FROM execution_entity WHERE "retryOf" = '${execId}' ORDER BY id::int DESC LIMIT 1`);
		const retryStatus = retryId ? await waitFor('the retry to end', async () => {
			const s = await executionStatus(retryId);
			return ['running', 'new'].includes(s) ? undefined : s;
		}, 120_000, 500) : 'none';
		const retryRanGenerate = retryId ? Number(await n8n.sql(`SELECT count(*) FROM execution_data WHERE "executionId" = '${retryId}' AND data LIKE '%"Sora Generate"%'`)) : 0;
		await sleep(5000);
		const after = (await sim.stats()).acceptedSubmissions;
		log(`execution ${execId}: '${status}' ${afterStatus.toFixed(0)} s after the kill; re-run on another worker: ${rerunBy}; ids in the killed worker's log: ${logged}/3, in the execution's data: ${inData}/3; retry ${retryId} '${retryStatus}', ran Sora Generate: ${retryRanGenerate}, new submits ${after - before - 3}; answered: ${JSON.stringify(retry).slice(0, 120)}`);
		expect(logged).toBe(3);
		expect(after).toBe(before + 3);
		expect(status).not.toBe('running');
		expect(retryStatus).toBe('error');
		expect(retryRanGenerate).toBe(0);
		await n8n.addWorker(`${worker!.name}c`);
		void call;
	});
});
