import { NodeOperationError, type IBinaryKeyData, type IDataObject, type INode } from 'n8n-workflow';
import type { PollOutcome, PollTarget } from './polling';
import type { SoraTask } from './task';

/** What one input item turned into: output JSON (and binary), or an error that still carries the JSON. */
export interface ItemResult {
	json: IDataObject;
	binary?: IBinaryKeyData;
	error?: Error;
}

/** The JSON of an error item under continueOnFail: whatever we know of the task, plus the error. */
export function errorItemJson(result: ItemResult): IDataObject {
	const error = result.error as (Error & { description?: string; httpCode?: string }) | undefined;
	return {
		...result.json,
		error: {
			message: error?.message ?? 'Unknown error',
			description: error?.description ?? null,
			httpCode: error?.httpCode ?? null,
		},
	};
}

function statusLine(outcome: PollOutcome): string {
	const task = outcome.task;
	return task ? `${task.status}, ${task.progress}%` : 'status unknown';
}

/**
 * A wait that ended without a finished task. The task keeps running (and is paid for), so the message
 * always names its id and how to pick it up later.
 */
export function unfinishedWaitError(node: INode, target: PollTarget, outcome: PollOutcome): Error {
	const pickUp = `Nothing is lost: the task keeps running at the provider. Read it later with Sora Task Status, task ID "${target.id}"${target.kind === 'character' ? ', task type Character' : ''}.`;
	if (outcome.state === 'timeout') {
		return new NodeOperationError(
			node,
			`Sora task ${target.id} did not finish within ${Math.round(target.maxWaitMs / 1000)} s (${statusLine(outcome)})`,
			{ itemIndex: target.itemIndex, description: `${pickUp} Or raise "Max Wait".` },
		);
	}
	if (outcome.state === 'cancelled') {
		return new NodeOperationError(node, `Stopped waiting for Sora task ${target.id}: the execution was cancelled`, {
			itemIndex: target.itemIndex,
			description: pickUp,
		});
	}
	if (outcome.state === 'error') {
		const error = outcome.error as Error & { description?: string };
		error.description = `${error.description ? error.description + ' ' : ''}${pickUp}`;
		return error;
	}
	return new NodeOperationError(node, `Sora task ${target.id} is not finished`, { itemIndex: target.itemIndex });
}

export function taskJsonOf(target: PollTarget, task: SoraTask | undefined): IDataObject {
	return task ? { ...task } : { id: target.id, kind: target.kind, status: null };
}
