/**
 * What running the nodes in n8n's own engine (n8n-core's WorkflowExecute) shows beyond a hand-made context:
 * n8n's expressions, its refusal of workflows with issues, its binary data store and what it records.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { SAMPLE_MP4, startSimulator, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 0 } });
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

const rl = (value: string) => ({ __rl: true, mode: 'list', value });

describe('Sora nodes in n8n-core', () => {
	it("resolves n8n expressions in the prompt: $json, $('Start').item, $execution.id", async () => {
		const result = await runNode(SoraGenerate, {
			items: [{ json: { scene: 'a lighthouse' } }, { json: { scene: 'a harbour' } }],
			parameters: {
				model: rl('sora-2'),
				prompt:
					"={{ $json.scene }} at dusk, {{ $('Start').item.json.scene.toUpperCase() }}, run {{ $execution.id }}",
			},
			credentials: credentialsFor(sim, 'toapis'),
			executionId: 'exec-expr-1',
		});
		expect(result.error).toBeUndefined();
		expect(sim.submissions.map((s) => (s.body as IDataObject).prompt)).toEqual([
			'a lighthouse at dusk, A LIGHTHOUSE, run exec-expr-1',
			'a harbour at dusk, A HARBOUR, run exec-expr-1',
		]);
		expect(result.output!.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('an expression that finds nothing reads as empty: Task ID {{ $json.id }} on an item without id asks for an id, sends nothing', async () => {
		// Task ID's default is {{ $json.id }}; n8n gives the node undefined here, which once became the id "undefined".
		const result = await runNode(SoraTaskStatus, {
			items: [{ json: { name: 'no id here' } }],
			parameters: {},
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error?.message).toBe('Task ID is empty');
		expect(sim.requests).toHaveLength(0);
	});

	it('n8n refuses to start a workflow whose required parameter is empty, before the node runs', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: '' },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error?.message).toMatch(/node has issues/);
		expect(result.output).toBeUndefined();
		expect(sim.requests).toHaveLength(0);
	});

	it("downloads into n8n's binary data store (filesystem mode): the item holds a reference, the file holds the video", async () => {
		const task = sim.createTask('toapis', 'video', { durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true },
			credentials: credentialsFor(sim, 'toapis'),
		});
		const binary = result.output![0].binary!.data;
		expect(binary.id).toMatch(/^filesystem-v2:/);
		expect(binary.data).toBe('filesystem-v2');
		const [stored] = [...result.stored.values()];
		expect(stored.path.startsWith(process.env.N8N_BINARY_DATA_STORAGE_PATH!)).toBe(true);
		expect(readFileSync(stored.path).equals(SAMPLE_MP4)).toBe(true);
	});

	it('records a failed node as n8n does: the execution ends in error and the node error keeps its class name and item index', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'x', duration: 12 },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.run.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeOperationError', context: { itemIndex: 0 } });
		expect(result.error?.message).toMatch(/Duration is 12/);
	});
});
