import { NodeOperationError, sleep, type INode } from 'n8n-workflow';

/** Raised when the user stops the execution while we wait, poll or download. */
export class ExecutionCancelled extends NodeOperationError {
	constructor(node: INode, itemIndex?: number) {
		super(node, 'The execution was cancelled', { itemIndex });
	}
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
		const onAbort = () => resolve(false);
		signal.addEventListener('abort', onAbort, { once: true });
		void sleep(ms).then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		});
	});
}
