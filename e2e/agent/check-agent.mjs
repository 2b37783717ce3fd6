// Assertions for e2e/agent/run-agent.sh. Usage: node check-agent.mjs <check> [args...]; exit 0 = pass, and the
// line printed says what was seen.
import { readFileSync } from 'node:fs';

const [check, ...args] = process.argv.slice(2);
const fail = (message) => {
	console.error(message);
	process.exit(1);
};
const getJson = async (url) => (await fetch(url)).json();
const chatRequests = (chatUrl) => getJson(new URL('/__chat/requests', chatUrl));
/** The agent's answer from the chat webhook's response ({ output } of the last node). */
function answerOf(path) {
	const raw = readFileSync(path, 'utf8');
	let body;
	try {
		body = JSON.parse(raw);
	} catch {
		fail(`chat webhook answered no JSON: ${raw.slice(0, 500)}`);
	}
	const output = (Array.isArray(body) ? body[0] : body)?.output;
	if (typeof output !== 'string') fail(`no agent output in the chat answer: ${raw.slice(0, 800)}`);
	return output;
}
const toolMessages = (requests) => requests.flatMap((r) => (r.messages ?? []).filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))));

/** The answer names the task and a video URL that serves the video; the simulator got exactly one submission for it. */
async function finishedVideo(answerPath, simUrl, chatUrl, subject, duration) {
	const answer = answerOf(answerPath);
	const state = await getJson(new URL('/__sim/state', simUrl));
	const submitted = state.submissionBodies.map((b) => JSON.parse(b)).filter((b) => String(b.prompt).includes(subject));
	if (submitted.length !== 1) fail(`expected 1 submission for "${subject}", the simulator got ${submitted.length}: ${JSON.stringify(submitted)}`);
	if (submitted[0].duration !== Number(duration)) fail(`submitted duration ${submitted[0].duration}, expected ${duration}`);
	const task = state.tasks.at(-1);
	if (!answer.includes(task.id)) fail(`the answer does not name task ${task.id}: ${answer}`);
	const url = /https?:\/\/\S+?\.mp4/.exec(answer)?.[0];
	if (!url) fail(`no video URL in the answer: ${answer}`);
	const video = await fetch(url);
	const bytes = Buffer.from(await video.arrayBuffer());
	if (!video.ok || bytes.subarray(4, 8).toString() !== 'ftyp') fail(`${url} did not serve an MP4 (${video.status})`);
	const requests = await chatRequests(chatUrl);
	if (!toolMessages(requests).some((m) => m.includes(task.id))) fail('the model never received the task in a tool message');
	return { answer, task, bytes: bytes.length };
}

switch (check) {
	case 'answered': {
		const [answerPath, simUrl, chatUrl, subject, duration] = args;
		const { answer, bytes } = await finishedVideo(answerPath, simUrl, chatUrl, subject, duration);
		console.log(`one tool call (${subject}, ${duration} s), one submission; the answer "${answer}" names the task, its URL serves the MP4 (${bytes} bytes)`);
		break;
	}
	case 'corrected': {
		const [answerPath, simUrl, chatUrl, subject, refused, accepted] = args;
		const { task } = await finishedVideo(answerPath, simUrl, chatUrl, subject, accepted);
		const refusal = toolMessages(await chatRequests(chatUrl)).find((m) => m.includes(`Duration is ${refused}`));
		if (!refusal) fail(`the model never saw the refusal of ${refused} s in a tool message`);
		console.log(`the ${refused} s call came back to the model as "${refusal.slice(0, 160)}", it called again with ${accepted} s: one submission, task ${task.id}, nothing sent for ${refused} s`);
		break;
	}
	case 'tool-description': {
		const [chatUrl] = args;
		const requests = await chatRequests(chatUrl);
		const tool = requests.flatMap((r) => r.tools ?? []).map((t) => t.function).find((f) => /sora/i.test(f.name));
		if (!tool) fail(`no Sora tool offered to the model: ${JSON.stringify(requests[0]?.tools ?? [])}`);
		for (const words of ['sora-2 10 s or 15 s', 'sora-2-vvip 4 s, 8 s or 12 s', 'prompt:', 'duration:']) {
			if (!tool.description.includes(words)) fail(`tool description lacks "${words}": ${tool.description}`);
		}
		const { properties = {}, required = [] } = tool.parameters ?? {};
		if (properties.prompt?.type !== 'string' || properties.duration?.type !== 'number') fail(`tool parameters ${JSON.stringify(tool.parameters)}`);
		if (!properties.duration.description || !required.includes('duration')) fail(`duration undocumented or optional: ${JSON.stringify(tool.parameters)}`);
		console.log(`"${tool.name}" with parameters prompt (string) and duration (number), both described; the description lists every model's durations (${tool.description.length} characters)`);
		break;
	}
	default:
		fail(`unknown check ${check}`);
}
