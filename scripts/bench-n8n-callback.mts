/**
 * npm run bench:callback — Sora Generate's two wait modes in a real n8n, not a test: BENCH_ITEMS (10) items of
 * BENCH_TASK_MS (3,000) ms renders, BENCH_RUNS (5) batches per setting, one simulator signing toapis callbacks:
 *   poll, default interval   Wait Mode "Poll in This Node", Poll Interval 10 s (the default)
 *   poll, 1 s interval       the same, polling every second
 *   callback                 "Until Toapis Calls Back" on n8n 2.41.1 as installed (its defaults)
 *   callback, legacy engine  the same with N8N_EXPRESSION_ENGINE=legacy: n8n evaluates expressions in its own
 *                            process instead of creating an isolate for each resume-URL call
 *   callback, n8n 1.123      n8n 1.123.81 (no isolates)
 * For each: Sora Generate's wall time (from the end of the node before it to its output, resumed run included)
 * against the task time, min/median/max; status reads by Sora Generate; when the callbacks reached n8n and how long
 * n8n took to answer them. Then what one of n8n 2.41's expression isolates costs: created alone and 10 at once, the
 * way 10 simultaneous callbacks need them (n8n's default pool keeps one warm). BENCH_SETTINGS picks settings by
 * their first word and engine (e.g. "callback"); figures also in BENCH_JSON (a file).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { deliveries, endOf, runBatch, runData } from '../e2e/harness/callback-batch.mts';
import { startN8n, type N8nConfig } from '../e2e/harness/n8n.mts';
import { runtimeOf } from '../e2e/harness/paths.mts';
import { startSimulatorProcess } from '../e2e/harness/simulator.mts';
import { callbackBatchWorkflow, soraCredential } from '../e2e/harness/workflows.mts';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10);
const TASK_MS = Number(process.env.BENCH_TASK_MS ?? 3000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CRED = 'soraBenchCallbk1';
const BATCH = 'soraBenchCbBatch';
const SECRET = randomBytes(32).toString('hex');

interface Setting {
	name: string;
	waitMode: 'poll' | 'callback';
	query: Record<string, string | number>;
	n8n: Pick<N8nConfig, 'version' | 'env'>;
}
const ALL_SETTINGS: Setting[] = [
	{ name: 'poll, default interval (10 s)', waitMode: 'poll', query: {}, n8n: {} },
	{ name: 'poll, 1 s interval', waitMode: 'poll', query: { pollInterval: 1 }, n8n: {} },
	{ name: 'callback, n8n 2.41.1 defaults', waitMode: 'callback', query: {}, n8n: {} },
	{ name: 'callback, n8n 2.41.1 legacy engine', waitMode: 'callback', query: {}, n8n: { env: { N8N_EXPRESSION_ENGINE: 'legacy' } } },
	{ name: 'callback, n8n 1.123.81', waitMode: 'callback', query: {}, n8n: { version: '1.123.81' } },
];
const SETTINGS = ALL_SETTINGS.filter((s) => !process.env.BENCH_SETTINGS || process.env.BENCH_SETTINGS.split(',').some((pick) => s.name.includes(pick)));

interface Figures {
	setting: string;
	/** Sora Generate's wall time per batch, s */
	seconds: number[];
	/** The same over the task time */
	ratios: number[];
	/** Status reads by Sora Generate per batch (Sora Task Status' one read per item left out) */
	reads: number[];
	/** Per batch: ms from Sora Generate's start to the first and the last callback, and the longest answer */
	callbacks: Array<{ firstAt: number; lastAt: number; slowestAnswerMs: number }>;
}

const spread = (values: number[], digits = 2) => {
	const sorted = [...values].sort((a, b) => a - b);
	const median = sorted[Math.floor(sorted.length / 2)];
	return `${sorted[0].toFixed(digits)} / ${median.toFixed(digits)} / ${sorted.at(-1)!.toFixed(digits)}`;
};

// Each setting in an n8n of its own: several settings need another n8n or another environment.
const sim = await startSimulatorProcess({ durationMs: TASK_MS, rateLimit: '20,50,50,500' });
const results: Figures[] = [];
console.log(`bench:callback: ${ITEMS} items of ${TASK_MS / 1000} s tasks, ${RUNS} batches per setting (figures: min / median / max)`);
try {
	for (const setting of SETTINGS) {
		const n8n = await startN8n({ label: 'sora-bench-callback', start: false, ...setting.n8n });
		try {
			const webhookUrl = `${n8n.baseUrl}/webhook/sora-token-default`;
			// Polling users have no token webhook: the simulator then sends no callbacks at all.
			const polls = setting.waitMode === 'poll';
			await sim.control('/__sim/webhooks', { defaultUrl: polls ? null : webhookUrl, secret: SECRET });
			await n8n.importCredentials([soraCredential(CRED, 'toapis', sim.url, sim.apiKey, { webhookUrl, webhookSecret: SECRET }, 'Sora (toapis)')]);
			await n8n.importWorkflows([callbackBatchWorkflow(BATCH, CRED, 120, setting.waitMode)]);
			await n8n.publish([BATCH]);
			n8n.config.waitForWebhooks = [{ path: 'sora-callback-batch', method: 'GET' }];
			await n8n.startMain();
			const figures: Figures = { setting: setting.name, seconds: [], ratios: [], reads: [], callbacks: [] };
			// One batch first, not counted: the first after a start also reads the credential from the database.
			for (let run = 0; run <= RUNS; run++) {
				const sent = (await deliveries(sim)).length;
				const batch = await runBatch(n8n, sim, BATCH, { items: ITEMS, ...setting.query });
				if (batch.execution.status !== 'success') throw new Error(`${setting.name}: the batch ended ${batch.execution.status}`);
				if (run === 0) continue;
				const data = await runData(n8n, batch.execution.id);
				const startedAt = endOf(data, 'Rows');
				const seconds = (endOf(data, 'Sora Generate') - startedAt) / 1000;
				figures.seconds.push(seconds);
				figures.ratios.push(seconds / (TASK_MS / 1000));
				figures.reads.push(batch.reads - ITEMS);
				const calls = (await deliveries(sim)).slice(sent);
				if (calls.length) {
					figures.callbacks.push({
						firstAt: Math.min(...calls.map((d) => d.at)) - startedAt,
						lastAt: Math.max(...calls.map((d) => d.at)) - startedAt,
						slowestAnswerMs: Math.max(...calls.map((d) => d.answeredInMs ?? 0)),
					});
				}
			}
			results.push(figures);
			const line = [`${setting.name.padEnd(36)} ${spread(figures.seconds)} s = ${spread(figures.ratios)}× the task time`, `status reads ${spread(figures.reads, 0)}`];
			if (figures.callbacks.length) {
				const c = figures.callbacks;
				line.push(`callbacks sent ${spread(c.map((x) => x.firstAt), 0)} to ${spread(c.map((x) => x.lastAt), 0)} ms after its start, slowest answer ${spread(c.map((x) => x.slowestAnswerMs), 0)} ms`);
			}
			console.log(line.join('; '));
		} finally {
			await n8n.stop();
		}
	}
} finally {
	await sim.stop();
}

// What each resume-URL call costs n8n 2.41 before the node's webhook() runs: an expression isolate of its own (its
// default pool keeps one warm, so simultaneous calls create the rest), measured in n8n's own runtime.
const runtime = runtimeOf();
const probe = `
const { IsolatedVmBridge } = require('@n8n/expression-runtime');
(async () => {
	const out = {};
	for (const n of [1, 10, 1, 10]) {
		const t0 = performance.now();
		const bridges = await Promise.all(Array.from({ length: n }, async () => { const b = new IsolatedVmBridge({}); await b.initialize(); return b; }));
		out[n] = [...(out[n] ?? []), performance.now() - t0];
		await Promise.all(bridges.map((b) => b.dispose()));
	}
	console.log(JSON.stringify(out));
})();`;
const isolates = spawnSync(runtime.node, ['-e', probe], { cwd: join(runtime.dir, 'app'), encoding: 'utf8' });
let isolateMs: Record<string, number[]> | undefined;
try {
	isolateMs = JSON.parse(isolates.stdout) as Record<string, number[]>;
	console.log(`n8n 2.41.1's expression isolate: one created in ${Math.min(...isolateMs[1]).toFixed(0)} ms, 10 at once in ${Math.min(...isolateMs[10]).toFixed(0)} ms (best of 2, ${availableParallelism()} cores)`);
} catch {
	console.log(`n8n 2.41.1's expression isolate: not measured (${isolates.stderr.trim().split('\n').at(-1)})`);
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ items: ITEMS, taskMs: TASK_MS, runs: RUNS, results, isolateMs }, null, 2));
