/**
 * What real hosts accept, in a real n8n 2.41.1: a new-api style OpenAI-compatible host (the simulator's `new-api`
 * mode) refuses a create that is not multipart and serves the video for `?variant=thumbnail`; it also gates its video
 * routes per token ("not accepted" answers before forwarding). Sora Generate must get its video, say why there is no
 * thumbnail, and pay once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { succeeded, videoOutput } from '../harness/checks.mts';
import { startN8n, type N8nStack, type WorkflowSpec } from '../harness/n8n.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { soraCredential } from '../harness/workflows.mts';

const CRED = 'soraHostsNewApi1';
const WORKFLOW = 'soraHostsNewApi1';
const log = (line: string) => console.log(`  ${line}`);

let sim: Simulator;
let n8n: N8nStack;

/** Manual Trigger → Sora Generate (OpenAI-compatible sora-2, 4 s, wait, download with thumbnail) */
function generateWithThumbnail(): WorkflowSpec {
	return {
		id: WORKFLOW,
		name: 'Hosts: new-api Sora Generate',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{ id: '7a000000-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '7a000000-0000-4000-8000-000000000002',
				name: 'Sora Generate',
				type: 'n8n-nodes-sora.soraGenerate',
				typeVersion: 1,
				position: [220, 0],
				credentials: { soraApi: { id: CRED, name: 'Sora (new-api)' } },
				parameters: {
					model: { __rl: true, mode: 'list', value: 'sora-2' },
					prompt: 'A paper boat on a rainy street',
					duration: 4,
					aspectRatio: '16:9',
					waitForCompletion: true,
					pollInterval: 1,
					maxWaitTime: 60,
					downloadVideo: true,
					binaryPropertyName: 'video',
					options: { downloadThumbnail: true },
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Sora Generate', type: 'main', index: 0 }]] } },
	};
}

beforeAll(async () => {
	sim = await startSimulatorProcess();
	await sim.control('/__sim/host', { openAiHost: 'new-api' });
	n8n = await startN8n({ label: 'sora-hosts', start: false });
	await n8n.importCredentials([soraCredential(CRED, 'openaiCompatible', `${sim.url}/v1`, sim.apiKey, {}, 'Sora (new-api)')]);
	await n8n.importWorkflows([generateWithThumbnail()]);
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

describe('a new-api host in a real n8n', () => {
	it('a create sent as multipart is accepted; the thumbnail request answered with the video gives thumbnailError, no mislabelled file', async () => {
		const result = succeeded(await n8n.execute(WORKFLOW));
		log(videoOutput(result, n8n.userFolder, 'Sora Generate'));
		const item = result.data.resultData.runData['Sora Generate'][0].data!.main[0]![0];
		expect(Object.keys(item.binary ?? {})).toEqual(['video']);
		expect(String(item.json.thumbnailError)).toMatch(/answered the thumbnail request with/);
		const state = await sim.state();
		expect(state.submissions).toBe(1);
		expect(state.violations).toEqual([]);
		log(`thumbnailError: ${String(item.json.thumbnailError)}`);
	});

	it('"not accepted" answers (429 token_concurrency_limit_reached, 503 token_concurrency_unavailable) are waited out; one paid video', async () => {
		const before = (await sim.state()).submissions;
		await sim.control('/__sim/faults', [
			{ match: { method: 'POST', path: '/v1/videos' }, kind: 'notAccepted', reason: 'token_concurrency_limit_reached', headers: { 'retry-after': '1' } },
			{ match: { method: 'POST', path: '/v1/videos' }, kind: 'notAccepted', reason: 'token_concurrency_unavailable', headers: { 'retry-after': '1' } },
		]);
		const result = succeeded(await n8n.execute(WORKFLOW));
		log(videoOutput(result, n8n.userFolder, 'Sora Generate'));
		const state = await sim.state();
		expect(state.submissions - before).toBe(1);
		expect(state.notAccepted).toMatchObject({ token_concurrency_limit_reached: 1, token_concurrency_unavailable: 1 });
		log(`not accepted: ${JSON.stringify(state.notAccepted)}; 1 paid submission`);
	});
});
