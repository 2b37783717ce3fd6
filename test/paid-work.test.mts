/**
 * Paid work is never lost and never paid twice when n8n's own services falter or a submit's answer is lost: the
 * credential is read once (a database restart mid-batch costs nothing), an error raised before a request leaves
 * is repeated like a refusal, and on toapis every new video carries a business id that finds it again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 600 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
const POST_TOAPIS = { method: 'POST', path: '/v1/videos/generations' };

async function generate(
	parameters: IDataObject = {},
	extra: Partial<Parameters<typeof runNode>[1]> = {},
) {
	return await runNode(SoraGenerate, {
		parameters: {
			model: rl('sora-2'),
			prompt: 'A paper boat in the rain',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 30,
			...parameters,
		},
		credentials: credentialsFor(sim, 'toapis'),
		...extra,
	});
}

describe('n8n falters before a request leaves', () => {
	it('a credential read that fails while the database restarts is tried again; the video is made once', async () => {
		const result = await generate({}, { credentialFaults: { getDecrypted: 2 } });
		expect(result.error).toBeUndefined();
		expect(result.output![0].json.status).toBe('completed');
		expect(sim.submissions).toHaveLength(1);
	});

	it('a database that goes away after the batch started costs nothing: the credential was read once', async () => {
		const items = [0, 1, 2].map((i) => ({ json: { i } }));
		const result = await generate(
			{ downloadVideo: true },
			{ items, credentialFaults: { getDecryptedDownFrom: 2 } },
		);
		expect(result.error).toBeUndefined();
		expect(result.output!.map((item) => item.json.status)).toEqual([
			'completed',
			'completed',
			'completed',
		]);
		expect(result.output!.every((item) => item.binary?.data)).toBe(true);
		expect(sim.submissions).toHaveLength(3);
	});

	it('a submit n8n could not prepare (an error before it left) is repeated like a refusal, not reported as maybe billed', async () => {
		const result = await generate({}, { credentialFaults: { authenticate: 1 } });
		expect(result.error).toBeUndefined();
		expect(sim.submissions).toHaveLength(1);
		expect(sim.requestsTo('api').filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('an OpenAI-style submit n8n could not prepare is repeated too (nothing left the machine)', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'A paper boat in the rain' },
			credentials: credentialsFor(sim, 'openaiCompatible'),
			credentialFaults: { authenticate: 2 },
		});
		expect(result.error).toBeUndefined();
		expect(sim.submissions).toHaveLength(1);
	});
});

describe('toapis: a lost answer is found again by business id', () => {
	it('the node gives every new video its own business id, the same for a retried node in one execution', async () => {
		const establishedAt = Date.now();
		const first = await generate({}, { executionId: 'exec-bid-1', establishedAt });
		const again = await generate({}, { executionId: 'exec-bid-1', establishedAt });
		const other = await generate({}, { executionId: 'exec-bid-2' });
		const id = (r: typeof first) => r.output![0].json.clientBusinessId as string;
		expect(id(first)).toMatch(
			new RegExp(`^n8n-[A-Za-z0-9]+-${establishedAt.toString(36)}-[A-Za-z0-9]+-[0-9a-f]{8}-r0-i0$`),
		);
		expect(id(first).length).toBeLessThan(64);
		expect(id(again)).toBe(id(first));
		expect(id(other)).not.toBe(id(first));
		// the retried node (same execution) reused the first task; the other execution made its own
		expect(sim.submissions).toHaveLength(2);
	});

	it("n8n's Retry of a failed execution (new execution id, the original's start) reuses every task the first run paid for", async () => {
		const establishedAt = Date.now();
		const items = [0, 1, 2].map((i) => ({ json: { i } }));
		const parameters = { downloadVideo: true, prompt: '={{ "Boat " + $json.i }}' };
		const first = await generate(parameters, { items, executionId: 'exec-crashed', establishedAt });
		expect(first.error).toBeUndefined();
		const retried = await generate(parameters, {
			items,
			executionId: 'exec-retry-of-crashed',
			mode: 'retry',
			establishedAt,
		});
		expect(retried.error).toBeUndefined();
		expect(retried.output!.map((item) => item.json.id)).toEqual(
			first.output!.map((item) => item.json.id),
		);
		expect(retried.output!.every((item) => item.json.reused === true && item.binary?.data)).toBe(
			true,
		);
		expect(sim.submissions).toHaveLength(3);
	});

	it('a new run of the same workflow (a new start) pays again: its default ids are new', async () => {
		const first = await generate({}, { executionId: 'exec-a', establishedAt: 1_000_000 });
		const rerun = await generate({}, { executionId: 'exec-b', establishedAt: 1_000_001 });
		expect(rerun.output![0].json.clientBusinessId).not.toBe(first.output![0].json.clientBusinessId);
		expect(rerun.output![0].json.reused).toBeUndefined();
		expect(sim.submissions).toHaveLength(2);
	});

	it('two executions started in the same millisecond with different requests never share an id', async () => {
		const a = await generate({ prompt: 'A' }, { executionId: 'exec-c', establishedAt: 2_000_000 });
		const b = await generate({ prompt: 'B' }, { executionId: 'exec-d', establishedAt: 2_000_000 });
		expect(b.output![0].json.clientBusinessId).not.toBe(a.output![0].json.clientBusinessId);
	});

	it('a Retry whose saved data has no start time (a new one is established) gets new ids and pays again', async () => {
		await generate({}, { executionId: 'exec-e', establishedAt: 3_000_000 });
		const retried = await generate({}, { executionId: 'exec-f', mode: 'retry' });
		expect(retried.output![0].json.reused).toBeUndefined();
		expect(sim.submissions).toHaveLength(2);
	});

	it("the user's Client Business ID is sent as given, and finds a task whose answer was lost", async () => {
		sim.inject({ match: POST_TOAPIS, kind: 'status', status: 502, afterHandling: true });
		const result = await generate({ additionalFields: { clientBusinessId: 'sheet-row-42' } });
		expect(result.error).toBeUndefined();
		expect(result.output![0].json.clientBusinessId).toBe('sheet-row-42');
		expect(result.output![0].json.status).toBe('completed');
		expect(sim.submissions).toHaveLength(1);
	});

	it("an older task with the user's business id (an earlier run's) is not taken for this submit's", async () => {
		const old = sim.createTask('toapis', 'video', { durationMs: 0 });
		old.request = { client_business_id: 'sheet-row-7' };
		old.createdAt = Date.now() - 60 * 60_000;
		sim.inject({ match: POST_TOAPIS, kind: 'status', status: 502 });
		// Submit a New One: the earlier run's task is not reused, and not mistaken for this submit's after a lost answer
		const result = await generate({
			additionalFields: { clientBusinessId: 'sheet-row-7', ifTaskExists: 'submitNew' },
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json.id).not.toBe(old.id);
		expect(sim.submissions).toHaveLength(1);
	});

	it('a submit that failed twice without arriving says it is not billed, after one resend', async () => {
		sim.inject({ match: POST_TOAPIS, kind: 'status', status: 502, times: 2 });
		const result = await generate();
		expect(result.error?.description).toMatch(/did not arrive and is not billed/);
		expect(sim.requestsTo('api').filter((r) => r.method === 'POST')).toHaveLength(2);
		expect(sim.submissions).toHaveLength(0);
	});

	it('lookups that fail themselves leave the submit as it was: maybe billed, not sent again', async () => {
		sim.inject(
			{ match: POST_TOAPIS, kind: 'status', status: 502, afterHandling: true },
			{
				match: { method: 'GET', path: /^\/v1\/videos\/generations\/n8n-/ },
				kind: 'status',
				status: 401,
				times: 10,
			},
		);
		const result = await generate();
		expect(result.error?.description).toMatch(/may still have been accepted/);
		expect(sim.requestsTo('api').filter((r) => r.method === 'POST')).toHaveLength(1);
	});
});

describe('toapis: a re-run pays only for what is not made yet (If a Task With This ID Exists)', () => {
	it('Reuse It (the default): a row whose task exists is followed and downloaded, not submitted again', async () => {
		const items = ['row-1', 'row-2'].map((row) => ({ json: { row } }));
		const parameters = {
			downloadVideo: true,
			additionalFields: { clientBusinessId: '={{ $json.row }}' },
		};
		const first = await generate(parameters, { items: items.slice(0, 1) });
		expect(first.error).toBeUndefined();
		const rerun = await generate(parameters, { items });
		expect(rerun.error).toBeUndefined();
		expect(rerun.output![0].json.id).toBe(first.output![0].json.id);
		expect(rerun.output![0].json.reused).toBe(true);
		expect(rerun.output![0].binary?.data).toBeDefined();
		expect(rerun.output![1].json.reused).toBeUndefined();
		expect(sim.submissions).toHaveLength(2);
	});

	it('a task that failed is not reused: the row is submitted again', async () => {
		const failed = await generate({
			prompt: 'Refused [sim:fail]',
			additionalFields: { clientBusinessId: 'row-9' },
		});
		expect(failed.output![0].json.status).toBe('failed');
		const rerun = await generate({ additionalFields: { clientBusinessId: 'row-9' } });
		expect(rerun.output![0].json.status).toBe('completed');
		expect(rerun.output![0].json.id).not.toBe(failed.output![0].json.id);
		expect(sim.submissions).toHaveLength(2);
	});

	it('Submit a New One pays again, as asked', async () => {
		const parameters = {
			additionalFields: { clientBusinessId: 'row-3', ifTaskExists: 'submitNew' },
		};
		await generate(parameters);
		const rerun = await generate(parameters);
		expect(rerun.output![0].json.reused).toBeUndefined();
		expect(sim.submissions).toHaveLength(2);
	});

	it('a lookup that fails fails the item before anything is paid', async () => {
		await generate({ additionalFields: { clientBusinessId: 'row-4' } });
		sim.inject({
			match: { method: 'GET', path: '/v1/videos/generations/row-4' },
			kind: 'status',
			status: 401,
			times: 10,
		});
		const rerun = await generate({ additionalFields: { clientBusinessId: 'row-4' } });
		expect(rerun.error?.message).toMatch(/401/);
		expect(sim.submissions).toHaveLength(1);
	});
});

describe('toapis: what a batch costs, from the balance toapis reports', () => {
	const threeItems = [0, 1, 2].map((i) => ({ json: { i } }));

	it('Check Balance First refuses every item, sending nothing, when the token has no credits left', async () => {
		sim.account.remainCredits = 0;
		const result = await generate(
			{ options: { checkBalance: true } },
			{ items: threeItems, continueOnFail: true },
		);
		expect(result.output!.map((item) => (item.json.error as IDataObject).message)).toEqual(
			Array(3).fill('Your toapis token has no credits left'),
		);
		expect(sim.requestsTo('api').filter((r) => r.method === 'POST')).toHaveLength(0);
	});

	it('Report Spend gives every item the balance before and after, and what the batch spent', async () => {
		const result = await generate(
			{ options: { reportSpend: true } },
			{ items: threeItems.slice(0, 2) },
		);
		expect(result.error).toBeUndefined();
		const spend = result.output![0].json.spend as IDataObject;
		expect(spend.spentCredits).toBe(40);
		expect(spend.spentUsd).toBe(0.2);
		expect((spend.before as IDataObject).remainingCredits).toBe(100_000);
		expect((spend.after as IDataObject).remainingCredits).toBe(99_960);
		expect(result.output![1].json.spend).toEqual(spend);
	});

	it('Max Credits per Execution refuses the items past the limit before they are sent', async () => {
		const result = await generate(
			{ options: { maxCredits: 40 } },
			{ items: threeItems, continueOnFail: true },
		);
		const errors = result.output!.map(
			(item) => (item.json.error as IDataObject | undefined)?.message,
		);
		expect(errors.filter(Boolean)).toEqual([
			'Not submitted: this execution has spent 40 credits, and Max Credits per Execution is 40',
		]);
		expect(sim.submissions).toHaveLength(2);
	});

	it('a balance toapis cannot read (success: false) refuses the batch before anything is sent', async () => {
		sim.account.tokenMissing = true;
		const result = await generate({ options: { checkBalance: true } });
		expect(result.error?.message).toMatch(/could not report the balance: Failed to get token info/);
		expect(sim.submissions).toHaveLength(0);
	});

	it('on an OpenAI-style host the balance options are refused: that API reports no balance', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'A paper boat', options: { reportSpend: true } },
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		expect(result.error?.message).toMatch(/reports no balance/);
		expect(sim.submissions).toHaveLength(0);
	});
});

describe('On Error: Stop Workflow', () => {
	it("an item's error that stops the node names the tasks the other items submitted (paid, still running)", async () => {
		const result = await runNode(SoraGenerate, {
			parameters: {
				model: rl('sora-2'),
				prompt: '={{ "Row " + $json.row }}',
				duration: '={{ $json.row === 3 ? 7 : 10 }}',
			},
			items: [{ json: { row: 1 } }, { json: { row: 2 } }, { json: { row: 3 } }],
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error?.message).toMatch(/Duration/);
		expect(sim.submissions).toHaveLength(2);
		const ids = [...sim.tasks.keys()];
		expect(ids).toHaveLength(2);
		for (const id of ids) expect(result.error?.description).toContain(id);
		expect(result.error?.description).toMatch(/\(item 0\).*\(item 1\)/);
	});
});
