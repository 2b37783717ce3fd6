/**
 * Drives a batch through a running n8n (queue or regular mode) and checks what came out, for the queue-mode suite
 * (e2e/suites/5-queue.e2e.mts, `npm run demo:queue`) and `npm run bench:n8n`:
 *   const { checks, figures } = await runBatch({ n8n, sim, runs: R, items: I, ... })
 * R webhook calls of the batch workflow (I Sora Generate items each, wait + download) go out P at a time. Then:
 * every item completed with its video, exactly one accepted submission per item, no task id the simulator created
 * missing from n8n's output, and (in queue mode) every video in n8n's database binary store with the bytes the
 * simulator serves, and the executions spread over the workers. Each check: { ok, text }; the figures for benches.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { N8nStack } from '../harness/n8n.mts';
import { memoryOf } from '../harness/processes.mts';
import type { Simulator, SimStats } from '../harness/simulator.mts';

export interface BatchOptions {
	n8n: N8nStack;
	sim: Simulator;
	runs: number;
	items: number;
	/** webhook calls at once (default: all) */
	parallel?: number;
	minMs?: number;
	maxMs?: number;
	/** a generated video of this many bytes instead of the sample */
	bytes?: number;
	label?: string;
	/** webhook path (default sora-queue-batch) */
	path?: string;
}

export type BatchCheck = 'answered' | 'completed' | 'oneSubmission' | 'noLost' | 'rateLimit' | 'binaryStore' | 'spread';
export interface BatchResult {
	checks: Partial<Record<BatchCheck, { ok: boolean; text: string }>>;
	figures: Figures;
}
export type Figures = ReturnType<typeof figuresOf>;

interface Line {
	executionId: string;
	id: string | null;
	status: string | null;
	binaryId: string | null;
	fileSize: number | null;
	error: string | null;
}

/** A GET that waits as long as n8n takes (fetch gives up on headers after 5 minutes) */
function getLong<T>(url: string): Promise<T> {
	return new Promise((resolve, reject) => {
		http.get(url, (res) => {
			let text = '';
			res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => {
				if ((res.statusCode ?? 0) >= 400) return reject(new Error(`GET ${url}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
				try {
					resolve(JSON.parse(text) as T);
				} catch (error) {
					reject(error as Error);
				}
			});
		}).on('error', reject);
	});
}

async function sha256OfUrl(url: string): Promise<string> {
	const response = await fetch(url);
	const hash = createHash('sha256');
	for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
	return hash.digest('hex');
}

export async function runBatch(options: BatchOptions): Promise<BatchResult> {
	const { n8n, sim, runs } = options;
	const itemsPerRun = options.items;
	const parallel = options.parallel ?? runs;
	const minMs = options.minMs ?? 3000;
	const maxMs = options.maxMs ?? minMs;
	const bytes = options.bytes === undefined ? undefined : String(options.bytes);
	const label = options.label ?? `${runs} x ${itemsPerRun}`;
	const pids: Array<[string, number]> = [['main', n8n.main!.pid], ...n8n.workers.filter((w) => w.proc.alive()).map((w) => [w.name, w.proc.pid] as [string, number])];
	const workerLogs = n8n.workers.filter((w) => w.proc.alive()).map((w) => [w.name, w.log] as [string, string]);
	const checks: BatchResult['checks'] = {};
	const check = (key: BatchCheck, ok: boolean, text: string) => (checks[key] = { ok, text });
	await sim.control('/__sim/reset');
const rssBefore = Object.fromEntries(pids.map(([name, pid]) => [name, memoryOf(pid)]));
// Peak RSS during this run: sampled, because /proc's VmHWM also holds peaks from before it
const rssPeak = Object.fromEntries(pids.map(([name]) => [name, rssBefore[name]?.now ?? 0]));
const sampler = setInterval(() => {
	for (const [name, pid] of pids) rssPeak[name] = Math.max(rssPeak[name], memoryOf(pid)?.now ?? 0);
}, 100);
const t0 = Date.now();
const lines: Line[] = [];
const callErrors: string[] = [];
let next = 0;
await Promise.all(
	Array.from({ length: Math.min(parallel, runs) }, async () => {
		while (next < runs) {
			const run = next++;
			const query = new URLSearchParams({ run: String(run), items: String(itemsPerRun), minMs: String(minMs), maxMs: String(maxMs), ...(bytes ? { bytes } : {}) });
			try {
				const answer = await getLong<Line[] | Line>(`${n8n.baseUrl}/webhook/${options.path ?? 'sora-queue-batch'}?${query}`);
				lines.push(...(Array.isArray(answer) ? answer : [answer]));
			} catch (error) {
				callErrors.push(`run ${run}: ${(error as Error).message}`);
			}
		}
	}),
);
const wallMs = Date.now() - t0;
clearInterval(sampler);
const stats: SimStats = await sim.stats();
const expected = runs * itemsPerRun;

check('answered', callErrors.length === 0, `${runs} webhook calls answered${callErrors.length ? `; failed: ${callErrors.slice(0, 3).join(' | ')}` : ''}`);
const completed = lines.filter((l) => l.status === 'completed' && l.binaryId && !l.error);
const errors = lines.filter((l) => l.error).map((l) => `${l.id}: ${l.error}`);
check('completed', completed.length === expected, `${completed.length}/${expected} items completed with a video in binary data${errors.length ? `; errors: ${errors.slice(0, 3).join(' | ')}` : ''}`);
const outputIds = new Set(lines.map((l) => l.id).filter(Boolean));
const simIds = new Set(stats.taskIds);
const lost = [...simIds].filter((id) => !outputIds.has(id));
const unknown = [...outputIds].filter((id) => !simIds.has(id!));
check('oneSubmission', stats.acceptedSubmissions === expected && stats.duplicateSubmissions === 0 && outputIds.size === expected,
	`exactly one accepted submission per item: ${stats.acceptedSubmissions} accepted for ${expected} items, ${stats.duplicateSubmissions} duplicates, ${outputIds.size} distinct task ids in n8n's output`);
check('noLost', lost.length === 0 && unknown.length === 0, `no task id lost: ${lost.length} created by the provider but missing from n8n's output, ${unknown.length} unknown`);
check('rateLimit', stats.rateLimited.submit === 0 || stats.acceptedSubmissions === expected,
	`rate limit shared by all processes: ${stats.rateLimited.submit} submits and ${stats.rateLimited.read} status reads refused with 429, all absorbed`);

let binaryChecked = 0;
if (n8n.mode === 'queue' && completed.length) {
	// Byte for byte: the SHA-256 of each row in n8n's binary_data table against the bytes the simulator's CDN serves
	const fileIds = completed.map((l) => l.binaryId!.slice(l.binaryId!.lastIndexOf(':') + 1));
	const out = await n8n.sql(`SELECT "fileId" || ' ' || "fileSize" || ' ' || encode(sha256(data), 'hex') FROM binary_data WHERE "fileId" IN (${fileIds.map((id) => `'${id.replace(/'/g, '')}'`).join(',')})`);
	const rows = new Map(out.trim().split('\n').filter(Boolean).map((row) => { const [id, size, sha] = row.split(' '); return [id, { size: Number(size), sha }]; }));
	const shaOfTask = new Map<string, string>();
	const mismatches: string[] = [];
	for (const [n, line] of completed.entries()) {
		const row = rows.get(fileIds[n]);
		let want = shaOfTask.get(line.id!);
		if (!want) shaOfTask.set(line.id!, (want = await sha256OfUrl(`${sim.cdnUrl}/videos/${line.id}.mp4`)));
		if (row && row.sha === want) binaryChecked++;
		else mismatches.push(`${line.binaryId}: ${row ? `${row.size} B, sha256 ${row.sha.slice(0, 12)}… vs ${want.slice(0, 12)}…` : 'no row'}`);
	}
	check('binaryStore', binaryChecked === expected && mismatches.length === 0,
		`${binaryChecked}/${expected} videos in n8n's database binary store (table binary_data), byte for byte (SHA-256) equal to the simulator's${mismatches.length ? `; ${mismatches.slice(0, 2).join(' | ')}` : ''}`);
}

// Which worker ran which execution: each worker logs "Worker started execution <id>"
const executionIds = [...new Set(lines.map((l) => l.executionId))];
const split: Record<string, number> = {};
for (const [name, file] of workerLogs) {
	const log = readFileSync(file, 'utf8');
	split[name] = executionIds.filter((id) => log.includes(`Worker started execution ${id} `)).length;
}
if (workerLogs.length > 1 && executionIds.length >= workerLogs.length) {
	const total = Object.values(split).reduce((a, b) => a + b, 0);
	check('spread', total === executionIds.length && Object.values(split).every((n) => n > 0), `executions spread over the workers: ${JSON.stringify(split)} of ${executionIds.length}`);
}

const memory = Object.fromEntries(pids.map(([name]) => {
	const before = rssBefore[name];
	return [name, before ? { rssBeforeMiB: before.now, peakMiB: rssPeak[name], growthMiB: rssPeak[name] - before.now } : null];
}));
	return { checks, figures: figuresOf({ label, expected, runs, wallMs, completed: completed.length, lost: lost.length, stats, split, memory, t0, binaryChecked }) };
}

function figuresOf(x: { label: string; expected: number; runs: number; wallMs: number; completed: number; lost: number; stats: SimStats; split: Record<string, number>; memory: Record<string, { rssBeforeMiB: number; peakMiB: number; growthMiB: number } | null>; t0: number; binaryChecked: number }) {
	const { label, expected, runs, wallMs, stats, split, memory, t0, binaryChecked } = x;
	return {
	label,
	items: expected,
	runs,
	wallSeconds: wallMs / 1000,
	completed: x.completed,
	lost: x.lost,
	duplicates: stats.duplicateSubmissions,
	submitsPerItem: stats.submitRequests / expected,
	acceptedSubmissions: stats.acceptedSubmissions,
	rateLimited: stats.rateLimited,
	pollsPerTask: stats.pollsPerTask,
	downloadsPerItem: stats.downloads / expected,
	statusReads: stats.statusReads,
	executionsPerWorker: split,
	memory,
	timeline: Object.fromEntries(Object.entries(stats.timeline).map(([k, v]) => [k, v === null ? null : (v - t0) / 1000])),
	binaryChecked,
};
}
