/**
 * The packed n8n-nodes-sora in a real n8n 2.41.1 (regular mode, SQLite): workflows run headless with `n8n execute`
 * against the Sora simulator, then `n8n start` for the credential test, cancelling an execution and the editor in
 * headless Chromium. One n8n for the whole file; the tests run in order and build on each other.
 */
import { existsSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchExample, characterExample, loopExample, messagesOf, noSecret, seedanceLastFrame, simClean, succeeded, videoOutput } from '../harness/checks.mts';
import { OWNER, startN8n, type N8nStack } from '../harness/n8n.mts';
import { ROOT } from '../harness/paths.mts';
import { run, sleep, waitFor, statusOf } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { example, fromTemplate, soraCredential, type Flavor } from '../harness/workflows.mts';
import { editorChecks, type EditorCheck, type EditorResult } from '../editor.mts';
import { checkContinue, checkStop, CONTINUE_WORKFLOW, KINDS, onErrorWorkflows, stopWorkflowId } from './on-error-cases.mts';

const WRONG_KEY = 'sk-e2e-wrong-key-000111222';
const CRED = { toapis: 'soraToapis000001', openaiCompatible: 'soraOpenAi000001', azure: 'soraAzure0000001', wrong: 'soraWrongKey0001' };

let sim: Simulator;
let n8n: N8nStack;
const log = (line: string) => console.log(`  ${line}`);

beforeAll(async () => {
	sim = await startSimulatorProcess();
	n8n = await startN8n({ label: 'sora-e2e', start: false, files: true });
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

describe('regular mode: n8n execute', () => {
	it('package packed and installed without node_modules', () => {
		const pkg = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-sora');
		expect(existsSync(join(pkg, 'package.json'))).toBe(true);
		expect(existsSync(join(pkg, 'dist', 'nodes', 'SoraGenerate', 'SoraGenerate.node.js'))).toBe(true);
		expect(existsSync(join(pkg, 'node_modules'))).toBe(false);
	});

	it('import:credentials', async () => {
		await n8n.importCredentials([
			soraCredential(CRED.toapis, 'toapis', sim.url, sim.apiKey),
			soraCredential(CRED.openaiCompatible, 'openaiCompatible', `${sim.url}/v1`, sim.apiKey),
			soraCredential(CRED.azure, 'azure', sim.url, sim.apiKey),
			soraCredential(CRED.wrong, 'toapis', sim.url, WRONG_KEY),
		]);
	});

	it('import:workflow (templates, shipped examples, On Error cases)', async () => {
		const t = (name: string, id: string, flavor: Flavor, credentialId: string, model?: string, duration?: number) => fromTemplate(name, { id, flavor, credentialId, simUrl: sim.url, simCdnUrl: sim.cdnUrl, model, duration });
		// The shipped examples, pointed at the simulator's credential, polling every second instead of every 15.
		const files = n8n.filesDir!;
		await n8n.importWorkflows([
			t('task-status', 'soraE2eToapis001', 'toapis', CRED.toapis),
			t('task-status', 'soraE2eOpenAi001', 'openaiCompatible', CRED.openaiCompatible),
			t('task-status', 'soraE2eAzure0001', 'azure', CRED.azure),
			t('task-status', 'soraE2eWrongKey1', 'toapis', CRED.wrong),
			t('generate', 'soraE2eGenToapis', 'toapis', CRED.toapis, 'sora-2-vvip', 4),
			t('generate', 'soraE2eGenOpenAi', 'openaiCompatible', CRED.openaiCompatible, 'sora-2', 8),
			t('generate', 'soraE2eGenInvald', 'toapis', CRED.toapis, 'sora-2', 12),
			t('generate-retry', 'soraE2eGenRetry1', 'toapis', CRED.toapis, 'sora-2', 10),
			t('seedance-last-frame', 'soraE2eSeedance1', 'toapis', CRED.toapis),
			t('editor', 'soraE2eEditor001', 'toapis', CRED.toapis),
			t('cancel', 'soraE2eCancel001', 'toapis', CRED.toapis),
			example('character-reuse.json', 'soraExCharacter1', CRED.toapis, { poll: 1 }),
			example('scheduled-batch.json', 'soraExBatch00001', CRED.toapis, { poll: 1, replace: { '/home/node/.n8n-files': files } }),
			example('long-job-loop.json', 'soraExLongJob001', CRED.toapis, { poll: 1 }),
			example('image-to-video.json', 'soraExImage00001', CRED.toapis, { poll: 1, replace: { 'https://example.com/first-frame-1280x720.png': `${sim.cdnUrl}/samples/frame-1280x720.png` } }),
			...onErrorWorkflows(sim.url, CRED.toapis, CRED.wrong),
		]);
	});

	const video = (label: string, id: string, node: string) =>
		it(label, async () => {
			const run = await n8n.execute(id);
			log(`${label} (${run.seconds.toFixed(1)} s): ${videoOutput(succeeded(run), n8n.userFolder, node)}`);
		});
	video('toapis: Manual Trigger → Sora Task Status (wait + download)', 'soraE2eToapis001', 'Sora Task Status');
	video('openaiCompatible: Manual Trigger → Sora Task Status (wait + download)', 'soraE2eOpenAi001', 'Sora Task Status');
	video('azure: Manual Trigger → Sora Task Status (wait + download)', 'soraE2eAzure0001', 'Sora Task Status');
	video('toapis: Manual Trigger → Sora Generate sora-2-vvip 4 s (wait + download)', 'soraE2eGenToapis', 'Sora Generate');
	video('openaiCompatible: Manual Trigger → Sora Generate sora-2 8 s (wait + download)', 'soraE2eGenOpenAi', 'Sora Generate');

	it('example character-reuse.json', async () => {
		log(characterExample(succeeded(await n8n.execute('soraExCharacter1')), n8n.userFolder));
	});
	it('example long-job-loop.json', async () => {
		log(loopExample(succeeded(await n8n.execute('soraExLongJob001')), n8n.userFolder));
	});
	video('example image-to-video.json: HTTP Request (file) → Sora Generate with Image From Binary Field', 'soraExImage00001', 'Sora Generate');
	it('image-to-video: the downloaded frame was uploaded through /v1/uploads/images', async () => {
		const uploads = (await sim.state()).requests.filter((r) => r.path === '/v1/uploads/images' && r.status === 200).length;
		expect(uploads).toBeGreaterThanOrEqual(1);
	});

	it('toapis: Seedance 2.5, 12 s 21:9, first frame from a binary field, audio, last frame (wait + download)', async () => {
		const run = await n8n.execute('soraE2eSeedance1');
		log(`Seedance 2.5 (${run.seconds.toFixed(1)} s): ${seedanceLastFrame(succeeded(run), n8n.userFolder, await sim.state())}`);
	});
	it('Retry On Fail: the first wait times out, n8n re-runs the node, it picks up the same task (1 submission)', async () => {
		const before = (await sim.state()).submissions;
		const run = await n8n.execute('soraE2eGenRetry1');
		const msg = videoOutput(succeeded(run), n8n.userFolder, 'Sora Generate');
		expect((await sim.state()).submissions - before).toBe(1);
		log(`${run.seconds.toFixed(1)} s: 1 submission, ${msg}`);
	});

	it('example scheduled-batch.json (20 items): 20 videos, 20 submissions, 20 MP4 files saved by Write Files', async () => {
		const before = (await sim.state()).submissions;
		const run = await n8n.execute('soraExBatch00001');
		const msg = batchExample(succeeded(run), n8n.userFolder, await sim.state(), before);
		const saved = readdirSync(n8n.filesDir!).filter((f) => /^sora-.*\.mp4$/.test(f)).length;
		expect(saved).toBe(20);
		log(`${run.seconds.toFixed(1)} s: ${msg}`);
	});

	it('invalid Sora Generate item (sora-2 at 12 s) refused with a clear message and 0 requests to the provider', async () => {
		const before = (await sim.state()).requests.length;
		const run = await n8n.execute('soraE2eGenInvald');
		const after = (await sim.state()).requests.length;
		expect(run.code, messagesOf(run.stdout)).not.toBe(0);
		expect(run.stdout).toContain('Duration is 12, but sora-2 allows 10 s or 15 s');
		expect(after).toBe(before);
	});

	it('wrong API key: execution fails with "rejected the API key (401)", the key appears nowhere in n8n\'s output', async () => {
		const run = await n8n.execute('soraE2eWrongKey1');
		expect(run.code).not.toBe(0);
		expect(run.stdout).toContain('rejected the API key (401)');
		noSecret("n8n's stdout", run.stdout, WRONG_KEY, sim.apiKey);
		noSecret("n8n's stderr", run.stderr, WRONG_KEY, sim.apiKey);
	});

	it('On Error, Continue modes: every failure kind × (regular output, error output)', async () => {
		const run = await n8n.execute(CONTINUE_WORKFLOW);
		log(`${run.seconds.toFixed(1)} s: ${checkContinue(run.result)}`);
	});
	for (const key of Object.keys(KINDS)) {
		it(`On Error, Stop Workflow: ${KINDS[key].label}`, async () => {
			const run = await n8n.execute(stopWorkflowId(key));
			log(checkStop(key, run.result, run.stdout));
		});
	}
});

describe('regular mode: n8n start (REST API, cancel, editor)', () => {
	beforeAll(async () => {
		await n8n.publish(['soraE2eCancel001']);
		await n8n.startMain();
	});

	// What the "Test" button in the editor calls
	const credentialTest = (flavor: Flavor, id: string, path: string, good: boolean, pattern?: RegExp) =>
		it(`credential test, ${flavor}, ${good ? 'good' : 'wrong'} key`, async () => {
			const body = await n8n.rest<{ data?: { status: string; message: string } }>('POST', '/rest/credentials/test', {
				credentials: { id, name: `Sora (${flavor})`, type: 'soraApi', data: { apiFlavor: flavor, baseUrl: `${sim.url}${path}`, apiKey: good ? sim.apiKey : WRONG_KEY } },
			});
			const data = body.data ?? (body as unknown as { status: string; message: string });
			expect(data.status, JSON.stringify(data)).toBe(good ? 'OK' : 'Error');
			if (pattern) expect(data.message).toMatch(pattern);
			log(`${data.status}: ${data.message}`);
		});
	credentialTest('toapis', CRED.toapis, '', true);
	credentialTest('toapis', CRED.toapis, '', false, /rejected/);
	credentialTest('openaiCompatible', CRED.openaiCompatible, '/v1', true);
	credentialTest('openaiCompatible', CRED.openaiCompatible, '/v1', false, /rejected|401|Unauthorized/);
	credentialTest('azure', CRED.azure, '', true);
	credentialTest('azure', CRED.azure, '', false, /rejected|401|Unauthorized/);

	it('stop a running execution: the cancel reaches the node\'s wait, it stops polling; the task id is in n8n\'s log', async () => {
		await waitFor('the cancel webhook', async () => (await statusOf(`${n8n.baseUrl}/webhook/sora-cancel`)) === 200, 10_000);
		const exec = await waitFor('the running execution', async () =>
			(await n8n.executions.list()).find((e) => e.workflowId === 'soraE2eCancel001' && ['running', 'new'].includes(e.status)), 10_000);
		const task = (await sim.state()).tasks.filter((t) => t.status === 'in_progress' || t.status === 'queued').at(-1);
		expect(task, 'a task in progress in the simulator').toBeDefined();
		await sleep(3000);
		const t0 = Date.now();
		await n8n.rest('POST', `/rest/executions/${exec.id}/stop`);
		const status = await waitFor('the execution to stop', async () => {
			const s = (await n8n.executions.get(exec.id))?.status;
			return s && !['running', 'new'].includes(s) ? s : undefined;
		}, 10_000);
		const stoppedIn = (Date.now() - t0) / 1000;
		const readsAtStop = (await sim.state()).tasks.find((t) => t.id === task!.id)?.reads;
		await sleep(5000);
		const readsLater = (await sim.state()).tasks.find((t) => t.id === task!.id)?.reads;
		const inLog = (await run('grep', ['-c', `Sora task ${task!.id} submitted`, n8n.mainLog])).stdout.trim();
		expect(status).toBe('canceled');
		expect(readsLater).toBe(readsAtStop);
		expect(Number(inLog)).toBeGreaterThanOrEqual(1);
		log(`status ${status} after ${stoppedIn.toFixed(1)} s, task ${task!.id}: ${readsAtStop} reads, none after; the id is in n8n's log: ${inLog} line(s)`);
	});
});

describe('regular mode: the editor in headless Chromium', () => {
	let editor: { results: EditorResult[]; error?: string } | undefined;
	let setupError: string | undefined;
	const screenshot = () => join(n8n.dir, 'editor-sora-generate.png');
	beforeAll(async () => {
		const setup = await run('bash', [join(ROOT, 'e2e', 'setup-browser.sh')]);
		if (setup.code !== 0) {
			setupError = `no Chromium for the editor test: ${(setup.stdout + setup.stderr).slice(-500)}`;
			return;
		}
		editor = await editorChecks({ url: n8n.baseUrl, workflow: 'soraE2eEditor001', email: OWNER.email, password: OWNER.password, out: screenshot() });
		// UPDATE_SCREENSHOT=1 npm test refreshes the README's picture
		if (process.env.UPDATE_SCREENSHOT === '1' && existsSync(screenshot())) {
			copyFileSync(screenshot(), join(ROOT, 'docs', 'editor-sora-generate.png'));
			copyFileSync(screenshot().replace(/\.png$/, '-kling-v3.png'), join(ROOT, 'docs', 'editor-sora-generate-kling-v3.png'));
		}
	});
	const editorCase = (key: EditorCheck, label: string) =>
		it(`editor: ${label}`, () => {
			if (setupError) throw new Error(setupError);
			const result = editor!.results.find((r) => r.key === key);
			if (!result) throw new Error(`not reached: ${editor!.error ?? 'the editor test stopped earlier'}`);
			expect(result.ok, result.text).toBe(true);
			log(result.text);
		});
	editorCase('opens', 'the workflow with Sora Generate nodes opens, the nodes render on the canvas');
	editorCase('durations', 'Duration choices follow the model (sora-2, sora-2-vvip)');
	editorCase('vipDurations', 'sora-2-vip durations are "Not documented for sora-2-vip: the provider decides"');
	editorCase('size', 'Additional Fields → Size on a toapis credential offers no size');
	editorCase('variants', 'the variants field is labelled "Number of Variants"');
	editorCase('soraNoResolution', 'a Sora model shows no Resolution field (family fields hide)');
	editorCase('klingFields', 'kling-v3 shows Resolution (its modes), its 3–15 s durations and Media, and no Image URLs');
	it('editor: a picture of Sora Generate with a non-Sora model (kling-v3) is saved', () => {
		expect(existsSync(screenshot().replace(/\.png$/, '-kling-v3.png'))).toBe(true);
	});
	editorCase('screenshot', 'screenshot of the open Sora Generate node saved');
});

describe('regular mode: what the simulator saw', () => {
	it('simulator: no contract violations, no API key sent to the CDN', async () => {
		await n8n.stopMain();
		log(simClean(await sim.state()));
	});
});
