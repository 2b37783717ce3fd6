import type { IDataObject } from 'n8n-workflow';
import { mapWithConcurrency } from './pool';
import { isFinished, type SoraTask, type TaskKind } from './task';
import { callApi, type SoraClient } from '../provider/transport';
import { ExecutionCancelled, pause } from './wait';

export interface PollTarget {
	itemIndex: number;
	id: string;
	kind: TaskKind;
	/** Seconds between status reads */
	intervalMs: number;
	/** 0 = read once and return whatever the status is */
	maxWaitMs: number;
	/** Skip the immediate first read (the task was just submitted, so it is certainly not done yet) */
	firstPollAfterInterval?: boolean;
}

export type PollOutcome =
	| { state: 'finished' | 'unfinished'; task: SoraTask; polls: number }
	| { state: 'timeout'; task?: SoraTask; polls: number; waitedMs: number }
	| { state: 'cancelled'; task?: SoraTask; polls: number }
	| { state: 'error'; task?: SoraTask; polls: number; error: Error };

interface Tracked {
	target: PollTarget;
	deadline: number;
	nextAt: number;
	started: number;
	polls: number;
	task?: SoraTask;
	outcome?: PollOutcome;
}

/** OpenAI's SDK waits as long as this header says before the next read (sora-apis.md §3.5). */
function pollAfterHintMs(headers: IDataObject): number | undefined {
	const value = headers['openai-poll-after-ms'];
	const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
	return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Reads every task until it finishes, its wait runs out, or the execution is cancelled — all tasks in
 * one loop, so a batch waits about as long as its slowest task, not the sum of them.
 */
export async function pollTasks(
	client: SoraClient,
	targets: readonly PollTarget[],
	concurrency: number,
): Promise<PollOutcome[]> {
	const start = Date.now();
	const tracked: Tracked[] = targets.map((target) => ({
		target,
		started: start,
		deadline: start + target.maxWaitMs,
		nextAt: target.firstPollAfterInterval ? start + Math.min(target.intervalMs, target.maxWaitMs) : start,
		polls: 0,
	}));

	const readOnce = async (entry: Tracked) => {
		const { target } = entry;
		entry.polls++;
		try {
			const response = await callApi(client, client.adapter.getTask(target.id, target.kind), {
				itemIndex: target.itemIndex,
				kind: 'read',
				deadline: Math.max(entry.deadline, Date.now() + 30_000),
			});
			entry.task = client.adapter.normalizeTask(response.body, target.kind, target.id);
			const now = Date.now();
			if (isFinished(entry.task)) {
				entry.outcome = { state: 'finished', task: entry.task, polls: entry.polls };
			} else if (target.maxWaitMs <= 0) {
				entry.outcome = { state: 'unfinished', task: entry.task, polls: entry.polls };
			} else if (now >= entry.deadline) {
				entry.outcome = { state: 'timeout', task: entry.task, polls: entry.polls, waitedMs: now - entry.started };
			} else {
				const wait = Math.max(target.intervalMs, pollAfterHintMs(response.headers) ?? 0);
				// One last read exactly at the deadline rather than none after it.
				entry.nextAt = Math.min(now + wait, entry.deadline);
			}
		} catch (error) {
			entry.outcome =
				error instanceof ExecutionCancelled
					? { state: 'cancelled', task: entry.task, polls: entry.polls }
					: { state: 'error', task: entry.task, polls: entry.polls, error: error as Error };
		}
	};

	let cancelled = false;
	while (!cancelled) {
		const pending = tracked.filter((entry) => !entry.outcome);
		if (!pending.length) break;
		const now = Date.now();
		const due = pending.filter((entry) => entry.nextAt <= now);
		if (due.length) await mapWithConcurrency(due, concurrency, readOnce);
		else cancelled = !(await pause(Math.min(...pending.map((entry) => entry.nextAt)) - now, client.signal));
		cancelled ||= client.signal?.aborted === true;
	}
	for (const entry of tracked) {
		entry.outcome ??= { state: 'cancelled', task: entry.task, polls: entry.polls };
	}
	return tracked.map((entry) => entry.outcome!);
}
