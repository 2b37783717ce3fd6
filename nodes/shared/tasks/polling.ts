import type { IDataObject } from 'n8n-workflow';
import { isFinished, type SoraTask, type TaskKind } from '../domain/task';
import { callApi, type SoraClient } from '../provider/transport';
import { ExecutionCancelled, pause } from '../util/wait';

/** How long to follow a task: one read (wait off, maxWaitMs 0), or reads until it ends, for at most maxWaitMs. */
export interface Waiting {
	wait: boolean;
	intervalMs: number;
	/** 0 when not waiting */
	maxWaitMs: number;
	/**
	 * Sora Generate's "Until Toapis Calls Back": the execution is parked after the submits and resumed by the tasks'
	 * signed callbacks (tasks/callbacks.ts) instead of reading the status here
	 */
	untilCallback?: boolean;
}

export interface PollTarget {
	itemIndex: number;
	id: string;
	kind: TaskKind;
	/** Milliseconds between status reads */
	intervalMs: number;
	/** 0 = read once and return whatever the status is */
	maxWaitMs: number;
	/** Skip the immediate first read (the task was just submitted, so it is certainly not done yet) */
	firstPollAfterInterval?: boolean;
	/** This execution created the task, so it exists and is paid for, even before a read has shown it */
	createdHere?: boolean;
}

export type PollOutcome =
	| { state: 'finished' | 'unfinished'; task: SoraTask; polls: number }
	| { state: 'timeout'; task?: SoraTask; polls: number; waitedMs: number }
	| { state: 'cancelled'; task?: SoraTask; polls: number }
	| { state: 'error'; task?: SoraTask; polls: number; error: Error };

/** OpenAI's SDK waits as long as this header says before the next read (docs/providers.md#6-poll-after-hint). */
function pollAfterHintMs(headers: IDataObject): number | undefined {
	const value = headers['openai-poll-after-ms'];
	const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
	return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Reads one task until it finishes, its wait runs out, or the execution is cancelled. Each task of a batch is
 * followed on its own from the moment its id is known; the transport bounds how many reads are in flight and
 * paces them to the provider's rate limit, so a batch waits about as long as its slowest task.
 */
export async function pollTask(client: SoraClient, target: PollTarget): Promise<PollOutcome> {
	const started = Date.now();
	const deadline = started + target.maxWaitMs;
	let nextAt = target.firstPollAfterInterval
		? started + Math.min(target.intervalMs, target.maxWaitMs)
		: started;
	let polls = 0;
	let task: SoraTask | undefined;
	for (;;) {
		if (!(await pause(nextAt - Date.now(), client.signal)))
			return { state: 'cancelled', task, polls };
		polls++;
		let headers: IDataObject;
		try {
			const response = await callApi(client, client.adapter.getTask(target.id, target.kind), {
				itemIndex: target.itemIndex,
				kind: 'read',
				deadline: Math.max(deadline, Date.now() + 30_000),
			});
			task = client.adapter.normalizeTask(response.body, target.kind, target.id);
			headers = response.headers;
		} catch (error) {
			return error instanceof ExecutionCancelled
				? { state: 'cancelled', task, polls }
				: { state: 'error', task, polls, error: error as Error };
		}
		const now = Date.now();
		if (isFinished(task)) return { state: 'finished', task, polls };
		if (target.maxWaitMs <= 0) return { state: 'unfinished', task, polls };
		if (now >= deadline) return { state: 'timeout', task, polls, waitedMs: now - started };
		// One last read exactly at the deadline rather than none after it.
		nextAt = Math.min(now + Math.max(target.intervalMs, pollAfterHintMs(headers) ?? 0), deadline);
	}
}
