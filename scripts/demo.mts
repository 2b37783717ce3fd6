/**
 * npm run demo — generates a video with this package in a real n8n, end to end, and leaves the result in a folder
 * (DEMO_OUTPUT, default demo-output/):
 *   <task id>.mp4    the video, as n8n stored it in its binary data
 *   <task id>.json   the Sora Generate output item (normalized task JSON + the provider's raw answer)
 * Without configuration it runs against the embedded Sora simulator (no API key needed). To use a real provider:
 *   SORA_API_KEY=sk-... [SORA_API_FLAVOR=toapis|openaiCompatible|azure] [SORA_BASE_URL=...] [SORA_MODEL=sora-2] \
 *   [SORA_DURATION=10] [SORA_PROMPT="..."] npm run demo
 * `npm run demo` installs and builds first (scripts/install-deps.sh, npm run build); n8n itself is installed once
 * under ~/.cache/n8n-nodes-sora by e2e/setup-n8n.sh. Also used by e2e/suites/4-demo.e2e.mts: runDemo().
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { binaryFile, messagesOf } from '../e2e/harness/checks.mts';
import { ensureRuntime, withN8n } from '../e2e/harness/n8n.mts';
import { ROOT } from '../e2e/harness/paths.mts';
import { startSimulatorProcess, type Simulator } from '../e2e/harness/simulator.mts';
import { example, soraCredential, type Flavor } from '../e2e/harness/workflows.mts';

export interface DemoResult {
	taskId: string;
	video: string;
	json: string;
	seconds: number;
}

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (text: string) => console.log(`\n${bold(`==> ${text}`)}`);

export async function runDemo(options: { output: string; env?: NodeJS.ProcessEnv }): Promise<DemoResult> {
	const env = options.env ?? process.env;
	const out = resolve(options.output);
	mkdirSync(out, { recursive: true });
	step('Preparing n8n 2.41.1 (installed once under ~/.cache/n8n-nodes-sora; about 4 minutes the first time)');
	await ensureRuntime();

	let sim: Simulator | undefined;
	let flavor: Flavor = 'toapis';
	let baseUrl: string;
	let apiKey: string;
	let poll: number;
	if (env.SORA_API_KEY) {
		flavor = (env.SORA_API_FLAVOR as Flavor | undefined) ?? 'toapis';
		baseUrl = env.SORA_BASE_URL ?? '';
		apiKey = env.SORA_API_KEY;
		poll = 10;
		step(`Using the real provider: flavor ${flavor}${baseUrl ? `, ${baseUrl}` : ''}`);
	} else {
		step('Starting the embedded Sora simulator (no API key needed)');
		sim = await startSimulatorProcess({ durationMs: 6000 });
		({ url: baseUrl, apiKey } = sim);
		poll = 2;
		console.log(`simulator at ${baseUrl}`);
	}
	try {
		const workflow = example('generate-video.json', 'soraDemoWorkflow1', 'soraDemoCred0001', { poll });
		const node = workflow.nodes.find((n) => n.name === 'Sora Generate')!;
		if (env.SORA_MODEL) node.parameters.model = { ...(node.parameters.model as object), mode: 'id', value: env.SORA_MODEL };
		if (env.SORA_DURATION) node.parameters.duration = Number(env.SORA_DURATION);
		if (env.SORA_PROMPT) node.parameters.prompt = env.SORA_PROMPT;
		step('Importing the credential and examples/generate-video.json into n8n');
		return await withN8n({ label: 'sora-demo', start: false, credentials: [soraCredential('soraDemoCred0001', flavor, baseUrl, apiKey, {}, 'Sora API account')], workflows: [workflow] }, async (n8n) => {
			step('Running the workflow: Start → Sora Generate (wait for completion, download the video)');
			const t0 = Date.now();
			const progress = setInterval(async () => {
				const task = sim ? (await sim.state().catch(() => undefined))?.tasks.at(-1) : undefined;
				console.log(`  ${String(Math.round((Date.now() - t0) / 1000)).padStart(3)}s  ${task ? `${task.id}: ${task.status}, ${task.reads} status reads` : 'waiting for n8n ...'}`);
			}, 2000);
			const run = await n8n.execute('soraDemoWorkflow1').finally(() => clearInterval(progress));
			const resultData = run.result?.data.resultData;
			const item = resultData?.runData['Sora Generate']?.[0]?.data?.main[0]?.[0];
			if (run.code !== 0 || !item) {
				const error = resultData?.error;
				throw new Error(`the workflow did not produce a video: ${error ? `${error.message}${error.description ? `\n${error.description}` : ''}` : messagesOf(run.stdout)}`);
			}
			const id = String(item.json.id);
			const json = join(out, `${id}.json`);
			writeFileSync(json, JSON.stringify(item.json, null, 2) + '\n');
			const binary = item.binary?.video;
			const stored = binary?.id ? binaryFile(n8n.userFolder, binary.id) : undefined;
			if (!binary || !stored) throw new Error(`task ${id} is ${item.json.status} (no video)`);
			const video = join(out, `${id}.mp4`);
			copyFileSync(stored, video);
			console.log(`task ${id}: ${item.json.status}, ${binary.fileSize} ${binary.mimeType}`);
			console.log(`video: ${relative(process.cwd(), video)}`);
			console.log(`task JSON: ${relative(process.cwd(), json)}`);
			return { taskId: id, video, json, seconds: (Date.now() - t0) / 1000 };
		});
	} finally {
		await sim?.stop();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	try {
		const result = await runDemo({ output: process.env.DEMO_OUTPUT ?? join(ROOT, 'demo-output') });
		step(`Done in ${result.seconds.toFixed(0)} s. Open the MP4 with any video player.`);
		process.exit(0);
	} catch (error) {
		console.error(`\ndemo: ${(error as Error).message}`);
		process.exit(1);
	}
}
