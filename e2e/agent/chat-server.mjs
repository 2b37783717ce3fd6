// A scripted stand-in for an OpenAI chat-completions model, for the AI-agent test (no real model is called).
// It plays one conversation: asked for "a N second video of X", it calls the Sora tool with prompt X and duration N;
// when the tool answers with an error naming the allowed durations, it calls the tool again with the nearest allowed
// one; when the tool answers with a task, it replies with the task id and video URL it read from that answer.
//   node e2e/agent/chat-server.mjs --ready-file FILE     (writes {"url": ...} to FILE once listening on 127.0.0.1)
// GET /__chat/requests returns every request body it received, for the test's checks.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';

const readyFile = process.argv[process.argv.indexOf('--ready-file') + 1];
const requests = [];

/** The model's next message, from the conversation so far. */
function reply(body) {
	const messages = body.messages ?? [];
	const lastUser = messages.findLastIndex((m) => m.role === 'user');
	const ask = text(messages[lastUser]?.content);
	const toolResults = messages.slice(lastUser + 1).filter((m) => m.role === 'tool');
	const tool = (body.tools ?? []).map((t) => t.function).find((f) => /sora/i.test(f.name)) ?? body.tools?.[0]?.function;
	const request = /(\d+)[ -]second video of (.+?)\.?$/i.exec(ask);
	if (!tool || !request) return { content: `I can only make videos, and need a request like "make a 8 second video of a lighthouse". Tools offered: ${(body.tools ?? []).length}.` };
	const [, seconds, subject] = request;

	const last = toolResults.at(-1);
	if (!last) return toolCall(tool.name, 1, { prompt: subject, duration: Number(seconds) });
	const answer = text(last.content);
	const id = /"id":\s*"([^"]+)"/.exec(answer)?.[1];
	const videoUrl = /"videoUrl":\s*"([^"]+)"/.exec(answer)?.[1];
	if (id && videoUrl) return { content: `Your video of ${subject} is ready. Task id: ${id}. Video URL: ${videoUrl}` };
	// A refusal names what is allowed, e.g. "Duration is 7, but sora-2 allows 10 s or 15 s": pick the nearest.
	const allowed = /allows ([\d s,or]+)/.exec(answer)?.[1].match(/\d+/g)?.map(Number);
	if (allowed?.length && toolResults.length < 3) {
		const nearest = allowed.reduce((best, d) => (Math.abs(d - seconds) < Math.abs(best - seconds) ? d : best));
		return toolCall(tool.name, toolResults.length + 1, { prompt: subject, duration: nearest });
	}
	return { content: `The video tool failed: ${answer.slice(0, 500)}` };
}

function text(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

function toolCall(name, n, args) {
	return { content: null, tool_calls: [{ id: `call_${n}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }] };
}

function completion(body, message) {
	const base = { id: `chatcmpl-${requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'scripted' };
	const finish = message.tool_calls ? 'tool_calls' : 'stop';
	const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
	return { json: { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }], usage }, base, finish, usage };
}

function stream(res, body, message) {
	const { base, finish, usage } = completion(body, message);
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const chunk = (delta, finishReason = null) =>
		res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`);
	const toolCalls = message.tool_calls?.map((call, index) => ({ index, ...call }));
	chunk({ role: 'assistant', ...(toolCalls ? { tool_calls: toolCalls } : { content: message.content }) });
	chunk({}, finish);
	if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
	res.end('data: [DONE]\n\n');
}

const server = createServer((req, res) => {
	let raw = '';
	req.on('data', (d) => (raw += d));
	req.on('end', () => {
		if (req.method === 'GET' && req.url === '/__chat/requests') {
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(JSON.stringify(requests));
		}
		if (req.method === 'GET' && /\/models$/.test(req.url)) {
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(JSON.stringify({ object: 'list', data: [{ id: 'scripted-model', object: 'model', owned_by: 'test' }] }));
		}
		if (req.method !== 'POST' || !/\/chat\/completions$/.test(req.url)) {
			res.writeHead(404, { 'content-type': 'application/json' });
			return res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
		}
		const body = JSON.parse(raw || '{}');
		requests.push(body);
		const message = reply(body);
		if (body.stream) return stream(res, body, message);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(completion(body, message).json));
	});
});

server.listen(0, '127.0.0.1', () => {
	const url = `http://127.0.0.1:${server.address().port}/v1`;
	if (readyFile) writeFileSync(readyFile, JSON.stringify({ url }));
	else console.log(url);
});
