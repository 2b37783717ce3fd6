/**
 * Child processes of the end-to-end harness: every process it starts is registered here and stopped by its PID
 * (its process group: n8n starts a task runner of its own) when the caller stops it, and otherwise when this process
 * exits or receives SIGINT/SIGTERM/SIGHUP, also after a failed or timed-out test.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

export interface Proc {
	pid: number;
	name: string;
	child?: ChildProcess;
	/** Resolves with the exit code (null after a signal) once the process has exited */
	exited: Promise<number | null>;
	alive(): boolean;
	/** SIGTERM to the process, then SIGKILL to its group after `graceMs` */
	stop(graceMs?: number): Promise<void>;
	/** SIGKILL to the process group, as a crash would */
	kill(): Promise<void>;
}

const live = new Map<number, Proc>();
/** Extra cleanups (a Postgres cluster started by pg_ctl is not our child): run on exit too */
const cleanups = new Set<() => void>();

function killGroup(pid: number, signal: NodeJS.Signals) {
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {
			// gone already
		}
	}
}

let hooked = false;
function hookExit() {
	if (hooked) return;
	hooked = true;
	const killAll = () => {
		for (const proc of live.values()) killGroup(proc.pid, 'SIGKILL');
		live.clear();
		for (const cleanup of cleanups) {
			try {
				cleanup();
			} catch {
				// best effort on the way out
			}
		}
		cleanups.clear();
	};
	process.on('exit', killAll);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			killAll();
			process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
		});
	}
}

/** Registers a synchronous cleanup run when this process exits; returns its removal */
export function onExit(cleanup: () => void): () => void {
	hookExit();
	cleanups.add(cleanup);
	return () => cleanups.delete(cleanup);
}

export interface SpawnOptions {
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/** stdout and stderr go to this file (appended) */
	log?: string;
}

/** Starts a registered child process in a process group of its own. */
export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): Proc {
	hookExit();
	const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
	if (options.log) {
		const out = createWriteStream(options.log, { flags: 'a' });
		child.stdout!.pipe(out);
		child.stderr!.pipe(out);
	} else {
		child.stdout!.resume();
		child.stderr!.resume();
	}
	const pid = child.pid;
	let code: number | null | undefined;
	const exited = new Promise<number | null>((resolve) =>
		child.once('exit', (c) => {
			code = c;
			live.delete(pid);
			resolve(c);
		}),
	);
	const proc: Proc = {
		pid,
		name,
		child,
		exited,
		alive: () => code === undefined,
		stop: async (graceMs = 10_000) => {
			if (code !== undefined) return;
			killGroup(pid, 'SIGTERM');
			const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
			killGroup(pid, 'SIGKILL'); // whatever it started and left behind
		},
		kill: async () => {
			if (code !== undefined) return;
			killGroup(pid, 'SIGKILL');
			await exited;
		},
	};
	live.set(pid, proc);
	return proc;
}

export const execFileAsync = promisify(execFile);

/** Runs a command to its end; never throws for a non-zero exit. */
export async function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}) {
	return await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
		const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const proc = child.pid === undefined ? undefined : { pid: child.pid };
		if (proc) live.set(proc.pid, { pid: proc.pid, name: command, exited: Promise.resolve(null), alive: () => true, stop: async () => {}, kill: async () => {} });
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		const timer = options.timeoutMs ? setTimeout(() => proc && killGroup(proc.pid, 'SIGKILL'), options.timeoutMs) : undefined;
		child.once('error', (error) => resolve({ code: -1, stdout, stderr: stderr + String(error) }));
		child.once('close', (code) => {
			clearTimeout(timer);
			if (proc) live.delete(proc.pid);
			resolve({ code, stdout, stderr });
		});
	});
}

/** A free TCP port on 127.0.0.1 below the ephemeral range (32768+), where outgoing connections could take it first. */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = 20000 + Math.floor(Math.random() * 12000);
		const free = await new Promise<boolean>((resolve) => {
			const server = net.createServer();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return port;
	}
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200): Promise<T> {
	const until = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await sleep(everyMs);
	}
}

/** HTTP status of a request, or 0 when nothing answers */
export async function statusOf(url: string, init?: RequestInit): Promise<number> {
	try {
		const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
		await response.arrayBuffer();
		return response.status;
	} catch {
		return 0;
	}
}

/** Memory of a process in MiB from /proc: peak since it started (VmHWM) and now (VmRSS) */
export function memoryOf(pid: number): { peak: number; now: number } | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
		return { peak: Math.round(kb('VmHWM') / 1024), now: Math.round(kb('VmRSS') / 1024) };
	} catch {
		return undefined;
	}
}
