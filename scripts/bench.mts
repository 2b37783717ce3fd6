/**
 * npm run bench:core (part of npm run bench) — speed and memory of the nodes against the Sora simulator (run in its own process, so its
 * work does not count). Prints a table with the figures and the targets. Not a test: nothing here fails CI.
 *   B1  100 generate-and-wait items vs. one item at a time vs. the physical bound (submit bucket + slowest task + 1 interval)
 *   B2  submits per item, status reads per task, 429s
 *   B3  peak RSS growth while a 1 GiB video streams into binary data
 *   B4  CPU per item for validation and request building, over 10,000 items
 *   B5  refused submits while pacing 200 submits by X-RateLimit-Reset, in both forms: seconds until the bucket is full,
 *       and the Unix time when it is (as GitHub and many APIs send it)
 *   --quick   B1's one-at-a-time run on 10 items, extrapolated to 100 (saves about 5 minutes)
 *   --pacing  B5 only (about a minute; BENCH_PACED_ITEMS=1000 for the issue's 1,000 items, about 7 minutes)
 * Run with --expose-gc (npm run bench:core does) so that B3 measures from a collected heap.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INode } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { toapisAdapter } from '../nodes/shared/provider/flavors/toapis';
import { validateVideoRequest, type VideoParameters } from '../nodes/shared/rules/validation';
import { runNode } from '../test/harness/run-node.mts';

const quick = process.argv.includes('--quick');
const pacingOnly = process.argv.includes('--pacing');
const PACED_ITEMS = Number(process.env.BENCH_PACED_ITEMS ?? 200);
const ROOT = new URL('..', import.meta.url).pathname;
const ITEMS = 100;
const INTERVAL_S = 1;
const RATE = { submitPerSecond: 5, submitBurst: 50, queryPerSecond: 50, queryBurst: 500 };

interface Sim {
	url: string;
	apiKey: string;
	stop: () => void;
}

async function startSim(rateLimit?: typeof RATE, resetForm: 'seconds' | 'unix' = 'seconds'): Promise<Sim> {
	const dir = mkdtempSync(join(tmpdir(), 'sora-bench-'));
	const ready = join(dir, 'sim.json');
	const args = [join(ROOT, 'node_modules/.bin/tsx'), join(ROOT, 'simulator/cli.mts'), '--ready-file', ready];
	if (rateLimit) args.push('--rate-limit', [rateLimit.submitPerSecond, rateLimit.submitBurst, rateLimit.queryPerSecond, rateLimit.queryBurst].join(','), '--reset-form', resetForm);
	const child = spawn(process.execPath, args, { stdio: 'ignore' });
	for (let i = 0; i < 200; i++) {
		try {
			const info = JSON.parse(readFileSync(ready, 'utf8'));
			return { ...info, stop: () => child.kill() };
		} catch {
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	throw new Error('simulator did not start');
}

async function simState(sim: Sim) {
	return (await (await fetch(`${sim.url}/__sim/state`)).json()) as {
		submissions: number;
		rateLimited: number;
		submissionBodies: string[];
		tasks: Array<{ id: string; reads: number; durationMs: number; status: string }>;
	};
}

const credentials = (sim: Sim) => ({ apiFlavor: 'toapis', baseUrl: sim.url, apiKey: sim.apiKey });
const durationOf = (i: number) => 2000 + ((i * 37) % 21) * 100; // 2.0 … 4.0 s
const generateParameters = (i: number) => ({
	model: { __rl: true, mode: 'list', value: 'sora-2-vvip' },
	duration: 4,
	prompt: `Bench video ${i} [sim:ms=${durationOf(i)}]`,
	waitForCompletion: true,
	pollInterval: INTERVAL_S,
	maxWaitTime: 300,
});
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));

function fmt(n: number, digits = 1) {
	return n.toFixed(digits);
}

const rows: string[][] = [];
const row = (id: string, what: string, value: string, target: string, ok: boolean) => rows.push([id, what, value, target, ok ? 'met' : 'MISSED']);

// ---- B1 + B2 -------------------------------------------------------------------------------------------------
if (!pacingOnly) {
	const sim = await startSim(RATE);
	const t0 = Date.now();
	const batch = await runNode(SoraGenerate, { items: items(ITEMS), parameters: generateParameters, credentials: credentials(sim) });
	const ours = (Date.now() - t0) / 1000;
	if (batch.error) throw batch.error;
	const completed = batch.output!.filter((o) => o.json.status === 'completed').length;
	const state = await simState(sim);
	const slowest = Math.max(...Array.from({ length: ITEMS }, (_, i) => durationOf(i))) / 1000;
	const bucketSeconds = Math.max(0, ITEMS - RATE.submitBurst) / RATE.submitPerSecond;
	const bound = bucketSeconds + slowest + INTERVAL_S;

	const perItemSubmits = state.submissions / ITEMS;
	const duplicates = state.submissionBodies.length - new Set(state.submissionBodies).size;
	const overBudget = state.tasks.filter((t) => t.reads > Math.ceil(t.durationMs / 1000 / INTERVAL_S) + 1);
	const maxReads = Math.max(...state.tasks.map((t) => t.reads));
	sim.stop();

	// One at a time, as other video nodes do: submit, poll until done, then the next item.
	const sequentialItems = quick ? 10 : ITEMS;
	const sim2 = await startSim(RATE);
	const t1 = Date.now();
	for (let i = 0; i < sequentialItems; i++) {
		const one = await runNode(SoraGenerate, { items: items(1), parameters: () => generateParameters(i), credentials: credentials(sim2) });
		if (one.error) throw one.error;
	}
	const sequential = ((Date.now() - t1) / 1000) * (ITEMS / sequentialItems);
	sim2.stop();

	row('B1', `wall time, ${ITEMS} items (${completed} completed)`, `${fmt(ours)} s`, `≤ 1.15 × bound (${fmt(bound)} s) → ${fmt(ours / bound, 2)}×`, ours <= 1.15 * bound);
	row('B1', `one item at a time${quick ? ' (10 items, ×10)' : ''}`, `${fmt(sequential)} s`, `ours ≥ 20× faster → ${fmt(sequential / ours)}×`, sequential / ours >= 20);
	row('B1', 'physical bound: submit bucket + slowest task + 1 interval', `${fmt(bound)} s`, `${fmt(bucketSeconds)} + ${fmt(slowest)} + ${INTERVAL_S}`, true);
	row('B2', 'accepted submits per item (duplicates)', `${fmt(perItemSubmits, 2)} (${duplicates})`, 'exactly 1 (0)', perItemSubmits === 1 && duplicates === 0);
	row('B2', 'status reads per task (max; over budget)', `${maxReads}; ${overBudget.length}`, '≤ ceil(duration / interval) + 1; 0', overBudget.length === 0);
	row('B2', '429s received from the simulator', String(state.rateLimited), 'reported', true);
}

// ---- B3 ------------------------------------------------------------------------------------------------------
if (!pacingOnly) {
	const sim = await startSim();
	const size = 1024 ** 3;
	const { id } = (await (await fetch(`${sim.url}/__sim/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ flavor: 'toapis', scenario: { durationMs: 0, videoBytes: size } }) })).json()) as { id: string };
	globalThis.gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	const t0 = Date.now();
	const result = await runNode(SoraTaskStatus, { parameters: { taskId: id, downloadVideo: true }, credentials: credentials(sim) });
	clearInterval(sampler);
	const seconds = (Date.now() - t0) / 1000;
	if (result.error) throw result.error;
	const stored = [...result.stored.values()][0];
	const growth = (peak - baseline) / 1048576;
	row('B3', `peak RSS growth, 1 GiB video → binary (${fmt(stored.size / 1048576, 0)} MiB stored in ${fmt(seconds)} s)`, `${fmt(growth)} MiB`, '≤ 64 MiB', growth <= 64 && stored.size === size);
	rmSync(stored.path, { force: true });
	sim.stop();
}

// ---- B4 ------------------------------------------------------------------------------------------------------
if (!pacingOnly) {
	const node = { name: 'Sora Generate' } as INode;
	const parameters = (i: number): VideoParameters => ({
		operation: 'generate',
		videoId: '',
		model: i % 2 ? 'sora-2' : 'sora-2-pro',
		prompt: `A cat surfing wave number ${i} @duksvfkf.cruisingki`,
		duration: 15,
		aspectRatio: '16:9',
		imageUrls: 'https://example.com/a.jpg, https://example.com/b.png',
		additionalFields: { thumbnail: true, n: 2, watermark: false, private: true, style: 'anime', storyboard: true, characterUrl: 'https://example.com/c.mp4', characterTimestamps: '1,3', characterCreate: true, characterFromTask: 'video_01K8SGYNNNVBQTXNR4MM964S7K' },
	});
	const N = 10_000;
	for (let i = 0; i < 500; i++) toapisAdapter.createVideo(validateVideoRequest(node, i, 'toapis', parameters(i)), []); // warm-up
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	for (let i = 0; i < N; i++) {
		const request = validateVideoRequest(node, i, 'toapis', parameters(i));
		toapisAdapter.createVideo(request, request.imageUrls);
	}
	const cpu = process.cpuUsage(cpu0);
	const perItem = (cpu.user + cpu.system) / 1000 / N;
	row('B4', `CPU per item, validation + request building (${N} items, ${fmt(performance.now() - t0, 0)} ms wall)`, `${fmt(perItem, 4)} ms`, '≤ 0.2 ms', perItem <= 0.2);
}

// ---- B5 ------------------------------------------------------------------------------------------------------
// Submits only (no waiting): the pace is the submit bucket's. One refused submit per refill is what a pacer that
// reads the rate right can still meet; the bound is the bucket: (items - burst) / rate.
for (const resetForm of ['seconds', 'unix'] as const) {
	const sim = await startSim(RATE, resetForm);
	const t0 = Date.now();
	const batch = await runNode(SoraGenerate, {
		items: items(PACED_ITEMS),
		parameters: (i: number) => ({ ...generateParameters(i), waitForCompletion: false }),
		credentials: credentials(sim),
	});
	const seconds = (Date.now() - t0) / 1000;
	if (batch.error) throw batch.error;
	const state = await simState(sim);
	sim.stop();
	const bound = (PACED_ITEMS - RATE.submitBurst) / RATE.submitPerSecond;
	const refills = Math.ceil(bound);
	row('B5', `${PACED_ITEMS} submits, X-RateLimit-Reset as ${resetForm === 'unix' ? 'a Unix time' : 'seconds from now'}: refused (429)`, `${state.rateLimited} in ${fmt(seconds)} s (${state.submissions} accepted)`, `≤ ~1 per refill (${refills} s of refills); ≤ 1.15 × ${fmt(bound)} s`, state.rateLimited <= refills && seconds <= 1.15 * bound + 1 && state.submissions === PACED_ITEMS);
}

const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...[['id', 'measure', 'value', 'target', 'result'], ...rows].map((r) => r[c].length)));
const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
console.log(line(['id', 'measure', 'value', 'target', 'result']));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));
console.log(`\nmachine: ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
process.exit(0);
