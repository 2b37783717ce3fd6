/**
 * Drives a batch through a running n8n (queue or regular mode) and checks what came out, for `npm run demo:queue`,
 * its reduced run in `npm test` and `npm run bench:n8n`:
 *   tsx e2e/queue/batch-run.mts --n8n URL --sim URL --cdn URL --runs R --items I [--parallel P] [--min-ms A --max-ms B]
 *     [--pids main:PID,w1:PID,...] [--worker-logs w1:FILE,...] [--psql-port PORT] [--label TEXT] [--json FILE]
 * R webhook calls of the batch workflow (I Sora Generate items each, wait + download) go out P at a time. Then:
 * every item completed with its video, exactly one accepted submission per item, no task id the simulator created
 * missing from n8n's output, and (with --psql-port) every video in n8n's database binary store with the bytes the
 * simulator serves. Prints PASS/FAIL lines and the figures; --json writes them. Exit 1 on any failure.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const args = process.argv.slice(2);
const arg = (name: string, fallback?: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : fallback;
};
const pairs = (text = '') => text.split(',').filter(Boolean).map((pair) => pair.split(':') as [string, string]);

const n8nUrl = arg('n8n')!;
const simUrl = arg('sim')!;
const runs = Number(arg('runs', '20'));
const itemsPerRun = Number(arg('items', '10'));
const parallel = Number(arg('parallel', String(runs)));
const minMs = Number(arg('min-ms', '3000'));
const maxMs = Number(arg('max-ms', arg('min-ms', '3000')));
const bytes = arg('bytes');
const label = arg('label', `${runs} x ${itemsPerRun}`);
const pids = pairs(arg('pids'));
const workerLogs = pairs(arg('worker-logs'));
const psqlPort = arg('psql-port');

let passed = 0;
let failed = 0;
const check = (ok: boolean, text: string) => {
	console.log(`${ok ? 'PASS' : 'FAIL'}: ${text}`);
	if (ok) passed++;
	else failed++;
};

interface Line {
	executionId: string;
	id: string | null;
	status: string | null;
	binaryId: string | null;
	fileSize: number | null;
	error: string | null;
}

/** Memory of a process in MiB from /proc: peak since it started (VmHWM) and now (VmRSS) */
function memoryOf(pid: string): { peak: number; now: number } | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
		return { peak: Math.round(kb('VmHWM') / 1024), now: Math.round(kb('VmRSS') / 1024) };
	} catch {
		return undefined;
	}
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
	const response = await fetch(url, init);
	if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
	return (await response.json()) as T;
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

interface SimStats {
	acceptedSubmissions: number;
	submitRequests: number;
	duplicateSubmissions: number;
	rateLimited: { total: number; submit: number; read: number };
	statusReads: number;
	pollsPerTask: { max: number; mean: number };
	downloads: number;
	timeline: Record<string, number | null>;
	taskIds: string[];
}

await json(`${simUrl}/__sim/reset`, { method: 'POST' });
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
				const answer = await getLong<Line[] | Line>(`${n8nUrl}/webhook/${arg('path', 'sora-queue-batch')}?${query}`);
				lines.push(...(Array.isArray(answer) ? answer : [answer]));
			} catch (error) {
				callErrors.push(`run ${run}: ${(error as Error).message}`);
			}
		}
	}),
);
const wallMs = Date.now() - t0;
clearInterval(sampler);
const sim = await json<SimStats>(`${simUrl}/__sim/stats`);
const expected = runs * itemsPerRun;

check(callErrors.length === 0, `${runs} webhook calls answered${callErrors.length ? `; failed: ${callErrors.slice(0, 3).join(' | ')}` : ''}`);
const completed = lines.filter((l) => l.status === 'completed' && l.binaryId && !l.error);
const errors = lines.filter((l) => l.error).map((l) => `${l.id}: ${l.error}`);
check(completed.length === expected, `${completed.length}/${expected} items completed with a video in binary data${errors.length ? `; errors: ${errors.slice(0, 3).join(' | ')}` : ''}`);
const outputIds = new Set(lines.map((l) => l.id).filter(Boolean));
const simIds = new Set(sim.taskIds);
const lost = [...simIds].filter((id) => !outputIds.has(id));
const unknown = [...outputIds].filter((id) => !simIds.has(id!));
check(sim.acceptedSubmissions === expected && sim.duplicateSubmissions === 0 && outputIds.size === expected,
	`exactly one accepted submission per item: ${sim.acceptedSubmissions} accepted for ${expected} items, ${sim.duplicateSubmissions} duplicates, ${outputIds.size} distinct task ids in n8n's output`);
check(lost.length === 0 && unknown.length === 0, `no task id lost: ${lost.length} created by the provider but missing from n8n's output, ${unknown.length} unknown`);
check(sim.rateLimited.submit === 0 || sim.acceptedSubmissions === expected,
	`rate limit shared by all processes: ${sim.rateLimited.submit} submits and ${sim.rateLimited.read} status reads refused with 429, all absorbed`);

let binaryChecked = 0;
if (psqlPort && completed.length) {
	// Byte for byte: the SHA-256 of each row in n8n's binary_data table against the bytes the simulator's CDN serves
	const fileIds = completed.map((l) => l.binaryId!.slice(l.binaryId!.lastIndexOf(':') + 1));
	const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', psqlPort, '-U', 'postgres', '-d', 'n8n', '-At', '-F', ' ', '-c',
		`SELECT "fileId", "fileSize", encode(sha256(data), 'hex') FROM binary_data WHERE "fileId" IN (${fileIds.map((id) => `'${id.replace(/'/g, '')}'`).join(',')})`],
		{ encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	const rows = new Map(out.trim().split('\n').filter(Boolean).map((row) => { const [id, size, sha] = row.split(' '); return [id, { size: Number(size), sha }]; }));
	const shaOfTask = new Map<string, string>();
	const mismatches: string[] = [];
	for (const [n, line] of completed.entries()) {
		const row = rows.get(fileIds[n]);
		let want = shaOfTask.get(line.id!);
		if (!want) shaOfTask.set(line.id!, (want = await sha256OfUrl(`${arg('cdn')}/videos/${line.id}.mp4`)));
		if (row && row.sha === want) binaryChecked++;
		else mismatches.push(`${line.binaryId}: ${row ? `${row.size} B, sha256 ${row.sha.slice(0, 12)}… vs ${want.slice(0, 12)}…` : 'no row'}`);
	}
	check(binaryChecked === expected && mismatches.length === 0,
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
	check(total === executionIds.length && Object.values(split).every((n) => n > 0), `executions spread over the workers: ${JSON.stringify(split)} of ${executionIds.length}`);
}

const memory = Object.fromEntries(pids.map(([name]) => {
	const before = rssBefore[name];
	return [name, before ? { rssBeforeMiB: before.now, peakMiB: rssPeak[name], growthMiB: rssPeak[name] - before.now } : null];
}));
const figures = {
	label,
	items: expected,
	runs,
	wallSeconds: wallMs / 1000,
	completed: completed.length,
	lost: lost.length,
	duplicates: sim.duplicateSubmissions,
	submitsPerItem: sim.submitRequests / expected,
	acceptedSubmissions: sim.acceptedSubmissions,
	rateLimited: sim.rateLimited,
	pollsPerTask: sim.pollsPerTask,
	downloadsPerItem: sim.downloads / expected,
	statusReads: sim.statusReads,
	executionsPerWorker: split,
	memory,
	timeline: Object.fromEntries(Object.entries(sim.timeline).map(([k, v]) => [k, v === null ? null : (v - t0) / 1000])),
	binaryChecked,
};
console.log(`figures: ${JSON.stringify(figures)}`);
if (arg('json')) writeFileSync(arg('json')!, JSON.stringify(figures, null, 2) + '\n');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
