/**
 * Sora Generate as an AI-agent tool, in a real n8n 2.41.1: examples/chat-to-video.json (Chat Trigger → AI Agent with
 * the OpenAI Chat Model and Sora Generate as a tool) runs in a started n8n, its chat webhook called over HTTP. The
 * "model" is e2e/agent/chat-server.mjs, a scripted chat-completions server on 127.0.0.1; the tool runs against the
 * Sora simulator.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail } from '../harness/checks.mts';
import { startN8n, type N8nStack } from '../harness/n8n.mts';
import { EXAMPLES, ROOT } from '../harness/paths.mts';
import { startProcess, waitFor, type Proc } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { example, soraCredential } from '../harness/workflows.mts';

let sim: Simulator;
let chat: { url: string; proc: Proc };
let n8n: N8nStack;
const answers: Record<string, string> = {};
const WEBHOOK_ID = (JSON.parse(readFileSync(join(EXAMPLES, 'chat-to-video.json'), 'utf8')) as { nodes: Array<{ type: string; webhookId?: string }> }).nodes.find((n) => n.type.endsWith('chatTrigger'))!.webhookId!;
const log = (line: string) => console.log(`  ${line}`);

beforeAll(async () => {
	sim = await startSimulatorProcess();
	const dir = mkdtempSync(join(tmpdir(), 'sora-chat-'));
	const proc = startProcess('scripted model', process.execPath, [join(ROOT, 'e2e', 'agent', 'chat-server.mjs'), '--ready-file', join(dir, 'chat.json')], { log: join(dir, 'chat.log') });
	const url = await waitFor('the scripted model', () => {
		try {
			return (JSON.parse(readFileSync(join(dir, 'chat.json'), 'utf8')) as { url: string }).url;
		} catch {
			return undefined;
		}
	}, 20_000, 100);
	chat = { url, proc };
});
afterAll(async () => {
	await n8n?.stop();
	await chat?.proc.stop();
	await sim?.stop();
});

interface ChatRequest {
	messages?: Array<{ role: string; content: unknown }>;
	tools?: Array<{ function: { name: string; description: string; parameters?: { properties?: Record<string, { type: string; description?: string }>; required?: string[] } } }>;
}
const chatRequests = async () => (await (await fetch(new URL('/__chat/requests', chat.url))).json()) as ChatRequest[];
const toolMessages = (requests: ChatRequest[]) =>
	requests.flatMap((r) => (r.messages ?? []).filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))));

async function say(session: string, text: string): Promise<string> {
	const response = await fetch(`${n8n.baseUrl}/webhook/${WEBHOOK_ID}/chat`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId: session, chatInput: text }),
		signal: AbortSignal.timeout(120_000),
	});
	const raw = await response.text();
	answers[session] = raw;
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		fail(`chat webhook answered no JSON: ${raw.slice(0, 500)}`);
	}
	const output = ((Array.isArray(body) ? body[0] : body) as { output?: unknown })?.output;
	if (typeof output !== 'string') fail(`no agent output in the chat answer: ${raw.slice(0, 800)}`);
	return output;
}

/** The answer names the task and a video URL that serves the video; the simulator got exactly one submission for it. */
async function finishedVideo(answer: string, subject: string, duration: number) {
	const state = await sim.state();
	const submitted = state.submissionBodies.map((b) => JSON.parse(b) as { prompt: string; duration: number }).filter((b) => String(b.prompt).includes(subject));
	if (submitted.length !== 1) fail(`expected 1 submission for "${subject}", the simulator got ${submitted.length}: ${JSON.stringify(submitted)}`);
	if (submitted[0].duration !== duration) fail(`submitted duration ${submitted[0].duration}, expected ${duration}`);
	const task = state.tasks.at(-1)!;
	if (!answer.includes(task.id)) fail(`the answer does not name task ${task.id}: ${answer}`);
	const url = /https?:\/\/\S+?\.mp4/.exec(answer)?.[0];
	if (!url) fail(`no video URL in the answer: ${answer}`);
	const video = await fetch(url);
	const bytes = Buffer.from(await video.arrayBuffer());
	if (!video.ok || bytes.subarray(4, 8).toString() !== 'ftyp') fail(`${url} did not serve an MP4 (${video.status})`);
	if (!toolMessages(await chatRequests()).some((m) => m.includes(task.id))) fail('the model never received the task in a tool message');
	return { task, bytes: bytes.length };
}

describe('Sora Generate as an AI-agent tool (examples/chat-to-video.json, scripted model)', () => {
	it('examples/chat-to-video.json imported and published (node type n8n-nodes-sora.soraGenerateTool)', async () => {
		n8n = await startN8n({
			label: 'sora-agent',
			credentials: [
				soraCredential('soraToapis000001', 'toapis', sim.url, sim.apiKey, {}, 'Sora API account'),
				{ id: 'openAiScripted01', name: 'OpenAI account', type: 'openAiApi', data: { apiKey: 'sk-scripted-model-not-a-secret', url: chat.url } },
			],
			workflows: [example('chat-to-video.json', 'soraExChatVideo1', 'soraToapis000001', { poll: 1, replace: { REPLACE_WITH_YOUR_OPENAI_CREDENTIAL: 'openAiScripted01' } })],
			publish: 'all',
			// n8n reports ready before it has registered the published workflows' webhooks: wait for the hosted chat page
			waitForWebhooks: [`${WEBHOOK_ID}/chat`],
		});
		expect(n8n.config.workflows![0].nodes.map((n) => n.type)).toContain('n8n-nodes-sora.soraGenerateTool');
		expect(readFileSync(n8n.mainLog, 'utf8')).not.toContain('Unrecognized node type');
	});

	it('chat "make a 8 second video of a lighthouse": one tool call, one submission, the answer names the task and its URL', async () => {
		const answer = await say('s1', 'make a 8 second video of a lighthouse');
		const { bytes } = await finishedVideo(answer, 'lighthouse', 8);
		log(`one tool call (lighthouse, 8 s), one submission; the answer "${answer}" names the task, its URL serves the MP4 (${bytes} bytes)`);
	});

	it('chat "make a 7 second video of a harbour": the refusal of 7 s reaches the model, it calls again with 8 s', async () => {
		const answer = await say('s2', 'make a 7 second video of a harbour');
		const { task } = await finishedVideo(answer, 'harbour', 8);
		const refusal = toolMessages(await chatRequests()).find((m) => m.includes('Duration is 7'));
		if (!refusal) fail('the model never saw the refusal of 7 s in a tool message');
		log(`the 7 s call came back to the model as "${refusal.slice(0, 160)}", it called again with 8 s: one submission, task ${task.id}`);
	});

	it('tool as the model sees it: prompt and duration described, every model\'s durations listed', async () => {
		const requests = await chatRequests();
		const tool = requests.flatMap((r) => r.tools ?? []).map((t) => t.function).find((f) => /sora/i.test(f.name));
		if (!tool) fail(`no Sora tool offered to the model: ${JSON.stringify(requests[0]?.tools ?? [])}`);
		for (const words of ['sora-2 10 s or 15 s', 'sora-2-vvip 4 s, 8 s or 12 s', 'prompt:', 'duration:']) expect(tool.description).toContain(words);
		const { properties = {}, required = [] } = tool.parameters ?? {};
		expect(properties.prompt?.type).toBe('string');
		expect(properties.duration?.type).toBe('number');
		expect(properties.duration.description).toBeTruthy();
		expect(required).toContain('duration');
		log(`"${tool.name}" with parameters prompt (string) and duration (number); description of ${tool.description.length} characters`);
	});

	it('the Sora API key appears in no chat answer, no n8n log line and no request to the model', async () => {
		const texts = [...Object.values(answers), readFileSync(n8n.mainLog, 'utf8'), JSON.stringify(await chatRequests())];
		for (const text of texts) expect(text.includes(sim.apiKey)).toBe(false);
	});
});
