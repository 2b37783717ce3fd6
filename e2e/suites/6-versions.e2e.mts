/**
 * The smoke suite on every n8n version the project supports (e2e/harness/paths.mts N8N_VERSIONS: 2.41.1 and the
 * 1.123 line people still run): the packed package loads; Sora Generate waits and downloads; Sora Task Status;
 * Sora Character; failed items reach the error output; Sora Trigger starts executions from signed toapis webhooks;
 * the editor renders the nodes. The full checks run on 2.41.1 in the other suites; this one says whether each version
 * does the main jobs at all.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterExample, SAMPLE_SHA, sha256, succeeded, videoOutput } from '../harness/checks.mts';
import { OWNER, startN8n, type N8nStack } from '../harness/n8n.mts';
import { N8N_VERSIONS, ROOT } from '../harness/paths.mts';
import { run, waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { example, fromTemplate, soraCredential } from '../harness/workflows.mts';
import { editorChecks } from '../editor.mts';
import { checkContinue, CONTINUE_WORKFLOW, onErrorWorkflows } from './on-error-cases.mts';

const CRED = { toapis: 'soraSmokeToapis1', wrong: 'soraSmokeWrong01', hooks: 'soraSmokeHooks01' };
const TRIGGER_PATH = '5e1b0a2c-0000-4000-8000-00000000a001/webhook';
const RECEIVE = 'soraSmokeReceive';
const SUBMIT = 'soraSmokeSubmit1';
const SECRET = randomBytes(32).toString('hex');
const log = (line: string) => console.log(`  ${line}`);

describe.each(N8N_VERSIONS)('n8n %s', (version) => {
	let sim: Simulator;
	let n8n: N8nStack;

	beforeAll(async () => {
		sim = await startSimulatorProcess();
		n8n = await startN8n({ label: `sora-smoke-${version}`, version, start: false, files: true });
		const t = (name: string, id: string, model?: string, duration?: number) =>
			fromTemplate(name, { id, flavor: 'toapis', credentialId: CRED.toapis, simUrl: sim.url, simCdnUrl: sim.cdnUrl, model, duration });
		const hookUrl = `${n8n.baseUrl}/webhook/sora-default-unused`;
		await sim.control('/__sim/webhooks', { defaultUrl: hookUrl, secret: SECRET, retryDelaysMs: [500, 1000, 2000, 4000] });
		await n8n.importCredentials([
			soraCredential(CRED.toapis, 'toapis', sim.url, sim.apiKey),
			soraCredential(CRED.wrong, 'toapis', sim.url, 'sk-smoke-wrong-key-000111222'),
			soraCredential(CRED.hooks, 'toapis', sim.url, sim.apiKey, { webhookUrl: hookUrl, webhookSecret: SECRET }, 'Sora API account'),
		]);
		await n8n.importWorkflows([
			t('generate', 'soraSmokeGenerat', 'sora-2-vvip', 4),
			t('task-status', 'soraSmokeStatus1'),
			t('editor', 'soraSmokeEditor1'),
			example('character-reuse.json', 'soraSmokeCharact', CRED.toapis, { poll: 1 }),
			...onErrorWorkflows(sim.url, CRED.toapis, CRED.wrong),
			example('webhook-submit.json', SUBMIT, CRED.hooks),
			example('webhook-receive.json', RECEIVE, CRED.hooks, { replace: { '/home/node/.n8n-files': n8n.filesDir! } }),
		]);
	});
	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
	});

	it('Sora Generate: sora-2-vvip 4 s, waits and downloads the video', async () => {
		const result = await n8n.execute('soraSmokeGenerat');
		log(`${version}, ${result.seconds.toFixed(1)} s: ${videoOutput(succeeded(result), n8n.userFolder, 'Sora Generate')}`);
	});

	it('Sora Task Status: waits for a task and downloads its video', async () => {
		const result = await n8n.execute('soraSmokeStatus1');
		log(`${version}: ${videoOutput(succeeded(result), n8n.userFolder, 'Sora Task Status')}`);
	});

	it('Sora Character: creates a character, two videos mention it', async () => {
		log(`${version}: ${characterExample(succeeded(await n8n.execute('soraSmokeCharact')), n8n.userFolder)}`);
	});

	it('On Error: every failure kind reaches the regular output and the error output with its task id', async () => {
		const result = await n8n.execute(CONTINUE_WORKFLOW);
		log(`${version}: ${checkContinue(result.result)}`);
	});

	it('the package loads in a running n8n, with no error about it in the log', async () => {
		await n8n.publish([SUBMIT, RECEIVE]);
		n8n.config.waitForWebhooks = [{ path: TRIGGER_PATH, method: 'POST', status: 401 }];
		await n8n.startMain();
		const mainLog = readFileSync(n8n.mainLog, 'utf8');
		expect(mainLog).not.toMatch(/n8n-nodes-sora[^\n]*(error|could not|failed)|Unrecognized node type: CUSTOM\.sora/i);
		log(`${version}: main is up; the published Sora Trigger answers unsigned requests with 401`);
	});

	it('Sora Trigger: 20 videos submitted without waiting arrive through signed toapis webhooks', async () => {
		const started = await fetch(`${n8n.baseUrl}/webhook/sora-start-batch`);
		const body = await started.text();
		// Seen once on 1.123.81 (2026-12-06): an answer that was not the 20 tasks. Say what it was.
		const batch = JSON.parse(body) as Array<{ id?: string }>;
		if (!Array.isArray(batch)) throw new Error(`the start workflow answered ${started.status} ${body.slice(0, 1000)}`);
		expect(batch.filter((x) => x.id)).toHaveLength(20);
		const files = () => readdirSync(n8n.filesDir!).filter((f) => f.endsWith('.mp4'));
		await waitFor('20 files and 20 executions', async () => files().length >= 20 && (await n8n.executions.count(RECEIVE)) >= 20, 120_000);
		const equal = files().filter((f) => sha256(readFileSync(join(n8n.filesDir!, f))) === SAMPLE_SHA).length;
		expect(equal).toBe(20);
		log(`${version}: 20 executions of the Sora Trigger workflow, 20 MP4 files equal to the simulator's`);
	});

	it('the editor renders the nodes, and the Duration choices follow the model', async () => {
		const setup = await run('bash', [join(ROOT, 'e2e', 'setup-browser.sh')]);
		if (setup.code !== 0) throw new Error(`no Chromium for the editor test: ${(setup.stdout + setup.stderr).slice(-500)}`);
		const editor = await editorChecks({ url: n8n.baseUrl, workflow: 'soraSmokeEditor1', email: OWNER.email, password: OWNER.password, out: join(n8n.dir, 'editor.png') });
		for (const key of ['opens', 'durations'] as const) {
			const result = editor.results.find((r) => r.key === key);
			if (!result) throw new Error(`not reached: ${editor.error ?? 'the editor test stopped earlier'}`);
			expect(result.ok, result.text).toBe(true);
			log(`${version}: ${result.text}`);
		}
	});
});
