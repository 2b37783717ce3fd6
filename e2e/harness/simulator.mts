/**
 * The Sora simulator as its own process (simulator/cli.mts), as n8n sees a provider: on 127.0.0.1, free ports, its
 * control routes (/__sim/...) typed here.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.mts';
import { startProcess, waitFor, type Proc } from './processes.mts';

export interface SimState {
	requests: Array<{ method: string; path: string; status?: number; flavor?: string }>;
	cdnRequests: Array<{ method: string; path: string; status?: number }>;
	violations: string[];
	leaks: string[];
	submissions: number;
	rateLimited: number;
	/** "Not accepted" answers given (new-api's token gate, toapis' limiter down), by reason */
	notAccepted: Record<string, number>;
	tasks: Array<{ id: string; flavor: string; kind: string; reads: number; durationMs: number; status: string }>;
	submissionBodies: string[];
	videoStreams: Array<{ bytes: number; ms: number; complete: boolean }>;
}

export interface SimStats {
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

export interface SimulatorOptions {
	/** "5,50,50,500": submits/s, submit burst, queries/s, query burst */
	rateLimit?: string;
	/** Default render time of a task */
	durationMs?: number;
	/** Folder for its ready file and log (default: a new temp folder) */
	dir?: string;
}

export interface Simulator {
	url: string;
	cdnUrl: string;
	apiKey: string;
	proc: Proc;
	state(): Promise<SimState>;
	stats(): Promise<SimStats>;
	/** POST to a control route, e.g. control('/__sim/tasks', {...}); the JSON answer */
	control<T = unknown>(path: string, body?: unknown): Promise<T>;
	stop(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorOptions = {}): Promise<Simulator> {
	const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sora-sim-'));
	const ready = join(dir, 'sim.json');
	const args = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'simulator', 'cli.mts'), '--ready-file', ready];
	if (options.rateLimit) args.push('--rate-limit', options.rateLimit);
	if (options.durationMs !== undefined) args.push('--duration-ms', String(options.durationMs));
	const proc = startProcess('simulator', process.execPath, args, { log: join(dir, 'sim.log') });
	const info = await waitFor(
		'the simulator',
		() => {
			if (!proc.alive()) throw new Error(`the simulator exited: ${readFileSync(join(dir, 'sim.log'), 'utf8').slice(-1000)}`);
			try {
				return JSON.parse(readFileSync(ready, 'utf8')) as { url: string; cdnUrl: string; apiKey: string };
			} catch {
				return undefined;
			}
		},
		30_000,
		100,
	);
	const getJson = async <T,>(path: string): Promise<T> => (await (await fetch(`${info.url}${path}`)).json()) as T;
	return {
		...info,
		proc,
		state: () => getJson<SimState>('/__sim/state'),
		stats: () => getJson<SimStats>('/__sim/stats'),
		control: async <T,>(path: string, body?: unknown) => {
			const response = await fetch(`${info.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
			if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
			return (await response.json()) as T;
		},
		stop: () => proc.stop(5000),
	};
}
