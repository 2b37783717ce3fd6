/**
 * Waiting for events, not for wall time. A busy machine (a laptop compiling, CI with other jobs) makes everything
 * slower; the verdict of a test must not depend on how much slower. So tests wait until what they expect has
 * happened (the simulator has seen N requests, a task reached a state, a delivery arrived), checked every few ms,
 * and the only clock is a generous guard against a hang, which says what it was waiting for.
 */

/** Long enough that no amount of load reaches it; short enough that a hang ends inside the test timeout. */
export const HANG_GUARD_MS = 120_000;

export class WaitTimeout extends Error {}

/**
 * Resolves once `condition` holds (checked at once, then every `everyMs`). Throws after `guardMs` (a hang guard, not
 * a verdict): the message names what never happened.
 */
export async function waitUntil(
	condition: () => boolean,
	what: string,
	{ everyMs = 10, guardMs = HANG_GUARD_MS } = {},
): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > guardMs)
			throw new WaitTimeout(`still waiting after ${Math.round(guardMs / 1000)} s for: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

/** The node's own log line once it holds a task id it submitted (see nodes/shared/tasks/once.ts). */
export const loggedSubmission = ({ logs }: { logs: readonly string[] }) =>
	logs.some((line) => /\bsubmitted\b/.test(line));
