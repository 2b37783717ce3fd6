import { NodeOperationError, sleep, type INode } from 'n8n-workflow';

/** Raised when the user stops the execution while we wait, poll or download. */
export class ExecutionCancelled extends NodeOperationError {
	constructor(node: INode, itemIndex?: number, beforeSubmit = false) {
		super(
			node,
			beforeSubmit
				? 'The execution was cancelled before this item was submitted'
				: 'The execution was cancelled',
			{
				itemIndex,
				description: beforeSubmit ? 'Nothing was sent for this item.' : undefined,
			},
		);
	}
}

/**
 * Everyone waiting on one cancel signal, behind a single listener: a batch has a waiter per item, and an
 * AbortSignal warns about a leak past ten listeners.
 */
const waitersBySignal = new WeakMap<AbortSignal, Set<() => void>>();

function onCancel(signal: AbortSignal, wake: () => void): () => void {
	let waiters = waitersBySignal.get(signal);
	if (!waiters) {
		const set = new Set<() => void>();
		signal.addEventListener(
			'abort',
			() => {
				for (const waiter of set) waiter();
				set.clear();
			},
			{ once: true },
		);
		waitersBySignal.set(signal, set);
		waiters = set;
	}
	waiters.add(wake);
	const registered = waiters;
	return () => registered.delete(wake);
}

/**
 * Waits `ms`, or less when the execution is cancelled; resolves false in that case. n8n-workflow
 * exports `sleep` but not an abortable variant, and community nodes may not use timers, so we race them.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	if (ms <= 0) return true;
	if (!signal) {
		await sleep(ms);
		return true;
	}
	return await new Promise<boolean>((resolve) => {
		const forget = onCancel(signal, () => resolve(false));
		void sleep(ms).then(() => {
			forget();
			resolve(true);
		});
	});
}
