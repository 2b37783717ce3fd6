import {
	NodeOperationError,
	type IBinaryKeyData,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { SoraTask } from '../domain/task';
import type { PollOutcome, PollTarget } from './polling';

/** What one input item turned into: output JSON (and binary), or an error that still carries the JSON. */
export interface ItemResult {
	json: IDataObject;
	binary?: IBinaryKeyData;
	error?: Error;
	/**
	 * The task ended failed: a valid result, output as data, but sent to the error output when the node's On Error
	 * setting asks for one.
	 */
	failedTask?: Error;
}

function errorInfo(error: Error | undefined): IDataObject {
	const e = error as (Error & { description?: string; httpCode?: string }) | undefined;
	return {
		message: e?.message ?? 'Unknown error',
		description: e?.description ?? null,
		httpCode: e?.httpCode ?? null,
	};
}

/** A failed item on the regular output (Continue On Fail): whatever we know of the task, plus the error. */
export function errorItemJson(result: ItemResult): IDataObject {
	return { ...result.json, error: errorInfo(result.error) };
}

/**
 * A failed item for n8n's error output. n8n moves an item there when its JSON holds nothing but `error`, `message`
 * and `details` (an item with an error object would have its JSON replaced by the bare message, losing the task
 * id), so the task goes under `details`. n8n 1.x takes only `error` (and `message`): there the task goes under
 * `error.details`.
 */
export function errorOutputJson(result: ItemResult, takesDetails = true): IDataObject {
	const error = errorInfo(result.error ?? result.failedTask);
	if (!Object.keys(result.json).length) return { error };
	return takesDetails
		? { error, details: result.json }
		: { error: { ...error, details: result.json } };
}

/**
 * Whether this n8n routes `{ error, details }` items to the error output (2.x). n8n-workflow 1.x's execute context
 * has no isConsoleOutputRedacted; it arrived with the 2.x engine that also takes `details`.
 */
export function errorOutputTakesDetails(ctx: IExecuteFunctions): boolean {
	return (
		typeof (ctx as { isConsoleOutputRedacted?: unknown }).isConsoleOutputRedacted === 'function'
	);
}

function statusLine(outcome: PollOutcome): string {
	const task = outcome.task;
	return task ? `${task.status}, ${task.progress}%` : 'status unknown';
}

/**
 * A wait that ended without a finished task. Where the task is known to exist (this execution created it, or a read
 * showed it) it keeps running and is paid for, so the message names its id and how to pick it up later. Where it is
 * not (an id that was never read successfully, a 404), the message does not pretend it is running.
 */
export function unfinishedWaitError(node: INode, target: PollTarget, outcome: PollOutcome): Error {
	const known = target.createdHere === true || outcome.task !== undefined;
	const taskRef = `task ID "${target.id}"${target.kind === 'character' ? ', task type Character' : ''}`;
	const pickUp = `Nothing is lost: the task keeps running at the provider. Read it later with Sora Task Status, ${taskRef}.`;
	if (outcome.state === 'timeout') {
		return new NodeOperationError(
			node,
			`Sora task ${target.id} did not finish within ${Math.round(target.maxWaitMs / 1000)} s (${statusLine(outcome)})`,
			{ itemIndex: target.itemIndex, description: `${pickUp} Or raise "Max Wait".` },
		);
	}
	if (outcome.state === 'cancelled') {
		return new NodeOperationError(
			node,
			`Stopped waiting for Sora task ${target.id}: the execution was cancelled`,
			{
				itemIndex: target.itemIndex,
				description: known ? pickUp : undefined,
			},
		);
	}
	if (outcome.state === 'error') {
		const error = outcome.error as Error & { description?: string; httpCode?: string };
		const status = Number(error.httpCode);
		let note = '';
		if (known && (status === 401 || status === 403)) {
			note = `The task was created and may still be running: once the credential works again, read it with Sora Task Status, ${taskRef}.`;
		} else if (known && status === 404) {
			note = `The provider no longer knows this task (finished tasks are kept for about 24 hours): ${taskRef}.`;
		} else if (known) {
			note = pickUp;
		} else {
			note = `Task ID: "${target.id}".`;
		}
		if (note) error.description = `${error.description ? error.description + ' ' : ''}${note}`;
		return error;
	}
	return new NodeOperationError(node, `Sora task ${target.id} is not finished`, {
		itemIndex: target.itemIndex,
	});
}

export function taskJsonOf(target: PollTarget, task: SoraTask | undefined): IDataObject {
	return task ? { ...task } : { id: target.id, kind: target.kind, status: null };
}

/**
 * Turns per-item results into the node's output, honouring the node's On Error setting:
 * - Stop Workflow: the first failed item's error stops the node;
 * - Continue (regular output): failed items come out with the others, the task's JSON carrying `error`;
 * - Continue (using error output): failed items (and failed tasks) are shaped so that n8n moves them to the error
 *   output: `error`, and the task's JSON under `details`.
 */
export function toOutputItems(
	ctx: IExecuteFunctions,
	results: ItemResult[],
	continueOnFail: boolean,
): INodeExecutionData[] {
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	const takesDetails = errorOutputTakesDetails(ctx);
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		const pairedItem = { item: itemIndex };
		if (result.error && !continueOnFail) throw withOtherTasks(result.error, results, itemIndex);
		if (toErrorOutput && (result.error || result.failedTask)) {
			output.push({ json: errorOutputJson(result, takesDetails), pairedItem });
		} else if (result.error) {
			output.push({ json: errorItemJson(result), pairedItem });
		} else {
			output.push({ json: result.json, binary: result.binary, pairedItem });
		}
	}
	return output;
}

/**
 * The error that stops the node (On Error: Stop Workflow), naming the tasks the other items submitted: they are paid
 * for and keep running, and the stopped node outputs nothing else that would carry their ids.
 */
function withOtherTasks(error: Error, results: ItemResult[], failedIndex: number): Error {
	const others = results
		.map((result, itemIndex) => ({ id: result.json.id, itemIndex }))
		.filter(({ id, itemIndex }) => itemIndex !== failedIndex && typeof id === 'string' && id);
	if (!others.length) return error;
	const e = error as Error & { description?: string | null };
	const list = others.map(({ id, itemIndex }) => `${String(id)} (item ${itemIndex})`).join(', ');
	e.description = `${e.description ? e.description + ' ' : ''}Tasks of the other items (read them with Sora Task Status): ${list}.`;
	return error;
}
