/**
 * npm run bench:n8n — the batch benchmark in a real n8n 2.41.1, not a test: N Sora Generate items (wait + download,
 * default 1,000; BENCH_N) against the simulator with toapis' default limits (5 submits/s, burst 50), renders of 2-4 s,
 * polling every second,
 *   regular  one execution of N items in `n8n start` (SQLite, filesystem binary data)
 *   queue    the same N as BENCH_EXECUTIONS (10) webhook executions over 2 workers (PostgreSQL, Redis, database binary data)
 * and prints, side by side: wall time against the physical bound (submitting N at the rate limit, burst included,
 * plus the longest render), 429s, polls per task, submits per item, duplicates, lost ids, peak RSS growth per n8n
 * process, and the simulator's timeline. BENCH_MODES=regular or queue runs one. Figures also in BENCH_JSON (a file).
 * BENCH_RETRY_ON_FAIL=1 adds n8n's Retry On Fail to the batch node. The n8n set-up is e2e/harness/n8n.mts.
 */
import { writeFileSync } from 'node:fs';
import { withN8n, type N8nConfig } from '../e2e/harness/n8n.mts';
import { startSimulatorProcess } from '../e2e/harness/simulator.mts';
import { QUEUE_CREDENTIAL, queueWorkflows, soraCredential } from '../e2e/harness/workflows.mts';
import { runBatch, type Figures } from '../e2e/queue/batch-run.mts';

const N = Number(process.env.BENCH_N ?? 1000);
const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 10);
const MODES = (process.env.BENCH_MODES ?? 'regular,queue').split(',');
const RATE = 5;
const BURST = 50;
const MIN_MS = 2000;
const MAX_MS = 4000;

const sim = await startSimulatorProcess({ rateLimit: `${RATE},${BURST},50,500` });
console.log(`bench:n8n: ${N} items`);
const runs: Figures[] = [];
try {
	const base = (): N8nConfig => ({
		credentials: [soraCredential(QUEUE_CREDENTIAL, 'toapis', sim.url, sim.apiKey)],
		// Several executions share one account's 5 submits/s; the node absorbs the 429s itself (see README, queue mode)
		workflows: queueWorkflows({ retryOnFail: process.env.BENCH_RETRY_ON_FAIL === '1' }),
		publish: ['soraQueuePing001', 'soraQueueBatch01'],
		waitForWebhooks: ['sora-queue-ping'],
	});
	const report = (figures: Figures, checks: Record<string, { ok: boolean; text: string } | undefined>) => {
		for (const check of Object.values(checks)) if (check) console.log(`${check.ok ? 'PASS' : 'FAIL'}: ${check.text}`);
		runs.push(figures);
	};
	if (MODES.includes('regular')) {
		await withN8n({ ...base(), label: 'sora-bench-regular' }, async (n8n) => {
			console.log(`--- regular mode: one execution of ${N} items`);
			const { figures, checks } = await runBatch({ n8n, sim, runs: 1, items: N, minMs: MIN_MS, maxMs: MAX_MS, label: 'regular' });
			report(figures, checks);
		});
	}
	if (MODES.includes('queue')) {
		await withN8n({ ...base(), label: 'sora-bench-queue', mode: 'queue', workers: 2 }, async (n8n) => {
			console.log(`--- queue mode: ${EXECUTIONS} executions of ${N / EXECUTIONS} items over 2 workers`);
			const { figures, checks } = await runBatch({ n8n, sim, runs: EXECUTIONS, items: N / EXECUTIONS, minMs: MIN_MS, maxMs: MAX_MS, label: 'queue' });
			report(figures, checks);
		});
	}
} finally {
	await sim.stop();
}

// Nothing can finish earlier: the burst goes at once, the rest at the rate limit, then the last render runs
const bound = Math.max(0, (N - BURST) / RATE) + MAX_MS / 1000;
const row = (label: string, f: (r: Figures) => unknown) => console.log(label.padEnd(34) + runs.map((r) => String(f(r)).padStart(26)).join(''));
const s = (x: unknown) => (x === null || x === undefined ? '-' : typeof x === 'number' ? `${x.toFixed(1)} s` : String(x));
console.log(`\nbench:n8n  ${N} generate-and-wait items, toapis limits ${RATE} submits/s burst ${BURST}, renders 2-${MAX_MS / 1000} s, poll 1 s`);
row('', (r) => r.label);
row('items completed / lost / duplicates', (r) => `${r.completed} / ${r.lost} / ${r.duplicates}`);
row('wall time', (r) => s(r.wallSeconds));
row('physical bound', () => s(bound));
row('ratio to the bound', (r) => `${(r.wallSeconds / bound).toFixed(2)}x`);
row('429s (submit / read)', (r) => `${r.rateLimited.submit} / ${r.rateLimited.read}`);
row('submit requests per item', (r) => r.submitsPerItem.toFixed(2));
row('video downloads per item', (r) => r.downloadsPerItem.toFixed(2));
row('polls per task (max / mean)', (r) => `${r.pollsPerTask.max} / ${r.pollsPerTask.mean.toFixed(2)}`);
row('executions per worker', (r) => JSON.stringify(r.executionsPerWorker).replace(/"/g, '') || '-');
for (const p of ['main', 'w1', 'w2']) row(`RSS growth ${p} (peak)`, (r) => (r.memory[p] ? `${r.memory[p].growthMiB} MiB (${r.memory[p].peakMiB})` : '-'));
for (const k of Object.keys(runs[0]?.timeline ?? {})) row(`timeline: ${k}`, (r) => s(r.timeline[k]));
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ n: N, bound, runs }, null, 2) + '\n');
process.exit(0);
