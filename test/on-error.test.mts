/**
 * Which items take the shape n8n sends to the error output under "Continue (using error output)", for
 * every kind of failure, and whether each message says only what is true. Real n8n's routing of these items is
 * checked end to end in e2e/suites/on-error-cases.mts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject, INodeType } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor } from './harness/fixtures.mts';
import { runNode, type RunOptions } from './harness/run-node.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 300 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
const wait = { waitForCompletion: true, pollInterval: 1, maxWaitTime: 20 };
type Mode = NonNullable<RunOptions['onError']>;

interface FailureKind {
	name: string;
	node: new () => INodeType;
	/** parameters and the task id the item must carry (undefined: nothing was sent, so there is none) */
	setUp: () => { parameters: IDataObject; taskId?: string; apiKey?: string };
	/** the error's message; whether its description may say the task keeps running */
	message: RegExp;
	saysStillRunning: boolean;
}

const kinds: FailureKind[] = [
	{
		name: 'refused before sending (sora-2 at 12 s)',
		node: SoraGenerate,
		setUp: () => ({ parameters: { model: rl('sora-2'), prompt: 'x', duration: 12 } }),
		message: /Duration is 12/,
		saysStillRunning: false,
	},
	{
		name: 'wait timed out',
		node: SoraGenerate,
		setUp: () => ({
			parameters: { model: rl('sora-2'), prompt: 'slow [sim:stuck]', ...wait, maxWaitTime: 1 },
		}),
		message: /did not finish within 1 s/,
		saysStillRunning: true,
	},
	{
		name: 'unknown task (404)',
		node: SoraTaskStatus,
		setUp: () => ({
			parameters: { taskId: 'video_doesnotexist0000', ...wait },
			taskId: 'video_doesnotexist0000',
		}),
		message: /Task not found \(404\)/,
		saysStillRunning: false,
	},
	{
		name: 'rejected key (401)',
		node: SoraTaskStatus,
		setUp: () => {
			const { id } = sim.createTask('toapis', 'video', { durationMs: 0 });
			return { parameters: { taskId: id }, taskId: id, apiKey: 'sk-wrong-key-0000000000' };
		},
		message: /rejected the API key \(401\)/,
		saysStillRunning: false,
	},
	{
		name: 'download failed (video expired)',
		node: SoraTaskStatus,
		setUp: () => {
			const task = sim.createTask('toapis', 'video', { durationMs: 0, expiresAfterMs: 1 });
			return { parameters: { taskId: task.id, ...wait, downloadVideo: true }, taskId: task.id };
		},
		message: /gone or its link has expired/,
		saysStillRunning: false,
	},
];

async function run(kind: FailureKind, onError: Mode) {
	const { parameters, taskId, apiKey } = kind.setUp();
	await new Promise((resolve) => setTimeout(resolve, 10)); // past any 1 ms expiry set up above
	const result = await runNode(kind.node, {
		parameters,
		onError,
		credentials: credentialsFor(sim, 'toapis', apiKey),
	});
	const createdId = [...sim.tasks.keys()].find((id) => sim.submissions.length > 0 && id);
	return { result, taskId: taskId ?? (kind.name.includes('timed out') ? createdId : undefined) };
}

describe.each(kinds)('a failure: $name', (kind) => {
	it('Stop Workflow: the node fails with a message that names the task where there is one', async () => {
		const { result, taskId } = await run(kind, 'stopWorkflow');
		expect(result.error?.message).toMatch(kind.message);
		const text = `${result.error?.message} ${result.error?.description ?? ''}`;
		if (taskId) expect(text).toContain(taskId);
		expect(/keeps running/.test(text)).toBe(kind.saysStillRunning);
	});

	it('Continue (regular output): the item comes out with the others, its JSON carrying the task id and `error`', async () => {
		const { result, taskId } = await run(kind, 'continueRegularOutput');
		const [item] = result.output!;
		expect(item.error).toBeUndefined();
		expect((item.json.error as IDataObject).message).toMatch(kind.message);
		if (taskId) expect(item.json.id).toBe(taskId);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it("Continue (using error output): the item has n8n's error-output shape, the task under `details`", async () => {
		const { result, taskId } = await run(kind, 'continueErrorOutput');
		// n8n-core itself routes the item: nothing on the success branch, the item on the error output
		expect(result.output).toEqual([]);
		const [item] = result.errorOutput!;
		// n8n routes items whose JSON has only these keys to the error output (and would blank an item.error's JSON)
		expect(
			Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key)),
		).toBe(true);
		expect(item.error).toBeUndefined();
		expect((item.json.error as IDataObject).message).toMatch(kind.message);
		if (taskId) expect((item.json.details as IDataObject).id).toBe(taskId);
		else expect(item.json.details).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});

describe('a task that ended failed (content policy), Sora Generate with waiting', () => {
	const failing = { model: rl('sora-2'), prompt: 'x [sim:fail]', ...wait };

	it('goes to the error output by default, keeping the task JSON as it is', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: failing,
			onError: 'continueErrorOutput',
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.output).toEqual([]);
		const [item] = result.errorOutput!;
		const task = item.json.details as IDataObject;
		expect(task).toMatchObject({ status: 'failed', error: { code: 'generation_failed' } });
		expect((item.json.error as IDataObject).message).toMatch(
			new RegExp(`Sora task ${task.id} failed: .*content policy`),
		);
	});

	it('stays data with "Failed Tasks to Error Output" off, and in the other On Error modes (as before)', async () => {
		const off = await runNode(SoraGenerate, {
			parameters: { ...failing, options: { failedTaskToErrorOutput: false } },
			onError: 'continueErrorOutput',
			credentials: credentialsFor(sim, 'toapis'),
		});
		const regular = await runNode(SoraGenerate, {
			parameters: failing,
			onError: 'continueRegularOutput',
			credentials: credentialsFor(sim, 'toapis'),
		});
		const stop = await runNode(SoraGenerate, {
			parameters: failing,
			credentials: credentialsFor(sim, 'toapis'),
		});
		for (const result of [off, regular, stop]) {
			expect(result.error).toBeUndefined();
			expect(result.output![0].json).toMatchObject({
				status: 'failed',
				error: { code: 'generation_failed' },
			});
		}
	});

	it('Sora Task Status reading a failed task outputs it as data in every mode (the read succeeded)', async () => {
		const task = sim.createTask('toapis', 'video', { outcome: 'failed', durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id },
			onError: 'continueErrorOutput',
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.output![0].json).toMatchObject({ id: task.id, status: 'failed' });
	});
});

describe('successful items are untouched by the error output mode', () => {
	it('a completed task carries no error object', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'ok', ...wait },
			onError: 'continueErrorOutput',
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.output![0].json).toMatchObject({ status: 'completed', error: null });
		expect(result.errorOutput).toEqual([]);
	});
});
