import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { providerRetryDelayMs } from '../nodes/shared/provider/transport';
import { startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { allText, credentialsFor } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 0 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const statusPath = /^\/v1\/videos\/generations\//;

async function readTask(extra: Record<string, unknown> = {}) {
	const task = sim.createTask('toapis', 'video');
	const result = await runNode(SoraTaskStatus, {
		parameters: { taskId: task.id, ...extra },
		credentials: credentialsFor(sim, 'toapis'),
	});
	return { task, result, reads: sim.requestsTo('api').filter((r) => statusPath.test(r.path)) };
}

describe('transport: retries only where safe', () => {
	it('honours Retry-After on a 429 and then succeeds', async () => {
		sim.inject({
			match: { path: statusPath },
			kind: 'status',
			status: 429,
			headers: { 'retry-after': '1' },
			body: { error: { code: 'rate_limit_exceeded', message: 'Async task request rate exceeded' } },
		});
		const { result, reads } = await readTask();
		expect(result.error).toBeUndefined();
		expect(reads.map((r) => r.status)).toEqual([429, 200]);
		expect(reads[1].at - reads[0].at).toBeGreaterThanOrEqual(950);
	});

	it('retries a status read after 500 twice', async () => {
		sim.inject({ match: { path: statusPath }, kind: 'status', status: 500, times: 2 });
		const { result, reads } = await readTask();
		expect(result.error).toBeUndefined();
		expect(reads.map((r) => r.status)).toEqual([500, 500, 200]);
	});

	it('retries a connection reset and an HTML 502 from a proxy', async () => {
		sim.inject(
			{ match: { path: statusPath }, kind: 'reset' },
			{ match: { path: statusPath }, kind: 'html', status: 502 },
		);
		const { result, reads } = await readTask();
		expect(result.error).toBeUndefined();
		expect(reads).toHaveLength(3);
	});

	it('says so when a proxy keeps answering with HTML', async () => {
		sim.inject({
			match: { path: statusPath },
			kind: 'html',
			status: 502,
			times: 10,
			headers: { 'retry-after': '0' },
		});
		const { result, reads } = await readTask();
		expect(result.error?.message).toMatch(
			/server error \(502\): The server answered with an HTML page instead of JSON \(after 6 attempts\)/,
		);
		expect(reads).toHaveLength(6);
	});

	it('retries malformed JSON on a read', async () => {
		sim.inject({ match: { path: statusPath }, kind: 'badJson' });
		const { result, reads } = await readTask();
		expect(result.error).toBeUndefined();
		expect(reads).toHaveLength(2);
	});

	it('times out a request that hangs, then retries it', async () => {
		sim.inject({ match: { path: statusPath }, kind: 'hang' });
		// 5 s, not 1: the retry, which is answered, must beat the timeout even on a busy machine
		const { result, reads } = await readTask({ options: { requestTimeout: 5 } });
		expect(result.error).toBeUndefined();
		expect(reads).toHaveLength(2);
	});

	it('does not retry a 404 or a 401', async () => {
		const { result, reads } = await readTask({ taskId: 'video_nope' });
		expect(result.error?.message).toMatch(/404/);
		expect(reads).toHaveLength(1);
	});

	it("maps 402 to a balance message with the provider's words, and never shows the key", async () => {
		sim.inject({
			match: { path: statusPath },
			kind: 'status',
			status: 402,
			body: {
				error: {
					code: 'insufficient_quota',
					message: `Insufficient balance for key ${sim.apiKey}`,
				},
			},
		});
		const { result } = await readTask();
		expect(result.error?.message).toMatch(
			/no balance left \(402\): Insufficient balance for key \*\*\*/,
		);
		expect(allText(result.error)).not.toContain(sim.apiKey);
	});
});

describe('Retry-After and rate-limit headers', () => {
	it.each([
		[{ 'retry-after': '3' }, 3000],
		[{ 'retry-after': '0.5' }, 500],
		[{ 'retry-after': new Date(1_000_000 + 4000).toUTCString() }, 4000],
		[{ 'x-ratelimit-reset': '7' }, 7000],
		[{ 'x-ratelimit-reset': String(1_000_000 / 1000 + 2e9) }, undefined],
		[{}, undefined],
	])('%j → %s ms', (headers, expected) => {
		const value = providerRetryDelayMs(headers, 1_000_000);
		if (expected === undefined && 'x-ratelimit-reset' in headers)
			expect(value).toBeGreaterThan(1e9);
		else expect(value).toBe(expected);
	});
});
