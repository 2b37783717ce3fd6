/**
 * Sora Generate's Wait Mode "Until Toapis Calls Back", in n8n's own engine: what is refused before anything is paid
 * (no Webhook URL, a resume URL on another origin, no signing secret, a Callback URL of the user's), the callback URL
 * each task carries, the execution parked with every task id (toapis: until Max Wait; OpenAI-style hosts: for the
 * Poll Interval), and Sora Task Status' second output for tasks still running. The callbacks themselves, the resume,
 * and crashes while parked run in a real n8n: e2e/suites/9-callback-wait*.e2e.mts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor } from './harness/fixtures.mts';
import { runNode, type RunOptions } from './harness/run-node.mts';

// n8n's resume URLs in the test engine live on this origin (test/harness/engine.mts).
const N8N = 'http://127.0.0.1:5678';
const SECRET = 'f'.repeat(64);

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 60_000 } });
});
afterAll(async () => sim.close());
beforeEach(() => {
	sim.reset();
	// the token's webhook URL in the toapis console; without one toapis refuses a callback_url (400)
	sim.webhooks.configure({ defaultUrl: `${N8N}/webhook/toapis`, secret: SECRET });
});

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { row: i + 1 } }));

async function parkedGenerate(
	credentialExtra: IDataObject,
	parameters: IDataObject = {},
	flavor: 'toapis' | 'openaiCompatible' = 'toapis',
) {
	return await runNode(SoraGenerate, {
		parameters: {
			model: rl('sora-2'),
			prompt: '={{ "A lighthouse, row " + $json.row }}',
			duration: flavor === 'toapis' ? 10 : 4,
			waitForCompletion: true,
			waitMode: 'callback',
			pollInterval: 30,
			maxWaitTime: 900,
			...parameters,
		},
		items: items(3),
		credentials: { ...credentialsFor(sim, flavor), ...(credentialExtra as Record<string, string>) },
	});
}

describe('"Until Toapis Calls Back" refuses, before anything is paid, what could never resume the execution', () => {
	const cases: Array<[string, IDataObject, IDataObject, RegExp]> = [
		['no Webhook URL in the credential', { webhookSecret: SECRET }, {}, /needs the Webhook URL/],
		[
			"n8n's resume URL on another origin than the token's webhook URL",
			{ webhookSecret: SECRET, webhookUrl: 'https://hooks.example.com/toapis' },
			{},
			/is not on the origin of the credential's Webhook URL \(https:\/\/hooks\.example\.com\)/,
		],
		[
			'no Webhook Signing Secret',
			{ webhookUrl: `${N8N}/webhook/toapis` },
			{},
			/needs the Webhook Signing Secret/,
		],
		[
			'a Callback URL set by the user',
			{ webhookSecret: SECRET, webhookUrl: `${N8N}/webhook/toapis` },
			{ additionalFields: { callbackUrl: `${N8N}/webhook/mine` } },
			/Callback URL cannot be set/,
		],
	];
	for (const [name, credential, parameters, message] of cases) {
		it(`${name}: refused with what to set, 0 requests`, async () => {
			const result = await parkedGenerate(credential, parameters);
			expect(result.error?.message).toMatch(message);
			if (message.source.includes('origin'))
				expect(result.error?.description).toContain('WEBHOOK_URL');
			expect(sim.requests).toHaveLength(0);
			expect(result.run.status).not.toBe('waiting');
		});
	}
});

describe('parked after the submits', () => {
	it('toapis: every task carries the resume URL as callback_url; the execution waits until Max Wait with every task id', async () => {
		const started = Date.now();
		const result = await parkedGenerate({
			webhookSecret: SECRET,
			webhookUrl: `${N8N}/webhook/toapis`,
		});
		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('waiting');
		const bodies = sim.submissions.map((s) => s.body as IDataObject);
		expect(bodies).toHaveLength(3);
		for (const body of bodies)
			expect(String(body.callback_url)).toMatch(new RegExp(`^${N8N}/webhook-waiting/`));
		// Nothing read while parked: the callbacks will say when each task ends.
		expect(sim.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
		const output = result.output!;
		expect(output.map((item) => item.json.status)).toEqual(['queued', 'queued', 'queued']);
		expect(new Set(output.map((item) => item.json.id)).size).toBe(3);
		const mark = output[0].json.callbackWait as IDataObject;
		expect(mark.awaiting).toBe(true);
		const until = Date.parse(String(mark.until));
		expect(until - started).toBeGreaterThanOrEqual(900_000 - 1000);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	// Three rows, the second refused by validation (7 s is not a sora-2 duration), the others submitted and parked.
	const secondRowRefused = (
		options: Pick<RunOptions, 'continueOnFail' | 'onError' | 'resumeAtMaxWait'>,
	) =>
		runNode(SoraGenerate, {
			parameters: {
				model: rl('sora-2'),
				prompt: '={{ "Row " + $json.row }}',
				duration: '={{ $json.row === 2 ? 7 : 10 }}',
				waitForCompletion: true,
				waitMode: 'callback',
				maxWaitTime: 900,
			},
			items: items(3),
			...options,
			credentials: {
				...credentialsFor(sim, 'toapis'),
				webhookSecret: SECRET,
				webhookUrl: `${N8N}/webhook/toapis`,
			},
		});

	it('an item refused by validation comes out with its error; the others park (Continue On Fail)', async () => {
		const result = await secondRowRefused({ continueOnFail: true });
		expect(result.run.status).toBe('waiting');
		expect(sim.submissions).toHaveLength(2);
		expect(String((result.output![1].json.error as IDataObject).message)).toMatch(/Duration/);
		expect(result.output![0].json.id).toBeTruthy();
		expect((result.output![1].json.callbackWait as IDataObject).awaiting).toBe(false);
	});

	// n8n resumes a parked execution itself at Max Wait and passes the node through with the items it left on the
	// stack; its error-output routing runs on them as on any node output.
	const maxWaitRun = (onError: 'continueErrorOutput' | 'continueRegularOutput') =>
		secondRowRefused({ onError, resumeAtMaxWait: true });

	it('Max Wait with no callback, On Error "error output": every unfinished task goes to the error output with its id, as a poll that timed out does', async () => {
		const result = await maxWaitRun('continueErrorOutput');
		expect(result.run.status).toBe('success');
		expect(sim.submissions).toHaveLength(2);
		expect(result.output).toEqual([]);
		const failed = result.errorOutput!;
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [first, refused, third] = failed.map((item) => item.json as IDataObject);
		for (const item of [first, third]) {
			const task = item.details as IDataObject;
			expect(task.id).toMatch(/\S/);
			expect(task.status).toBe('queued');
			expect(String((item.error as IDataObject).message)).toBe(
				`toapis did not call back for task ${String(task.id)} within Max Wait (900 s)`,
			);
			expect(String((item.error as IDataObject).description)).toContain('Sora Task Status');
			// n8n adds the input item's fields, as for every item on the error output
			expect(item.row).toBeDefined();
		}
		expect(String((refused.error as IDataObject).message)).toMatch(/Duration/);
	});

	it('Max Wait with no callback, On Error "continue": the unfinished tasks come out on the main output with their ids and the error', async () => {
		const result = await maxWaitRun('continueRegularOutput');
		expect(result.run.status).toBe('success');
		const out = result.output!.map((item) => item.json as IDataObject);
		expect(out).toHaveLength(3);
		for (const item of [out[0], out[2]]) {
			expect(item.id).toMatch(/\S/);
			expect(String((item.error as IDataObject).message)).toContain(`task ${String(item.id)}`);
		}
		expect(String((out[1].error as IDataObject).message)).toMatch(/Duration/);
	});

	it('OpenAI-compatible (no callbacks): parked for the Poll Interval with the submitted ids, for Sora Task Status after it', async () => {
		const started = Date.now();
		const result = await parkedGenerate({}, {}, 'openaiCompatible');
		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('waiting');
		expect(sim.submissions).toHaveLength(3);
		const output = result.output!;
		expect(
			output.every(
				(item) => typeof item.json.id === 'string' && item.json.callbackWait === undefined,
			),
		).toBe(true);
		const waitTill = (result.run as { waitTill?: Date }).waitTill;
		if (waitTill) expect(waitTill.getTime() - started).toBeLessThan(60_000);
	});
});

describe('Sora Task Status: "Send Running Tasks to a Second Output"', () => {
	it('finished tasks on the first output, running ones on the second, each paired with its input', async () => {
		const fast = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'Quick [sim:ms=50]', duration: 10 },
			credentials: credentialsFor(sim, 'toapis'),
		});
		const slow = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'Slow [sim:stuck]', duration: 10 },
			credentials: credentialsFor(sim, 'toapis'),
		});
		await new Promise((resolve) => setTimeout(resolve, 200));
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: '={{ $json.id }}', runningToSecondOutput: true },
			items: [{ json: { id: slow.output![0].json.id } }, { json: { id: fast.output![0].json.id } }],
			credentials: credentialsFor(sim, 'toapis'),
		});
		const outputs = result.run.taskData!.data!.main;
		expect(outputs).toHaveLength(2);
		expect(outputs[0]!.map((item) => item.json.status)).toEqual(['completed']);
		expect(outputs[0]![0].pairedItem).toEqual({ item: 1 });
		expect(outputs[1]!.map((item) => item.json.status)).toEqual(['queued']);
		expect(outputs[1]![0].pairedItem).toEqual({ item: 0 });
	});
});

describe('a toapis token without a webhook', () => {
	it('toapis refuses the callback URL (400 webhook_not_configured): the error says what to set up, nothing is paid', async () => {
		sim.webhooks.configure({ defaultUrl: undefined });
		const result = await parkedGenerate({
			webhookSecret: SECRET,
			webhookUrl: `${N8N}/webhook/toapis`,
		});
		expect(result.error?.message).toMatch(/this token has no webhook set up/);
		expect(result.error?.description).toMatch(/toapis console/);
		expect(sim.submissions).toHaveLength(0);
	});
});
