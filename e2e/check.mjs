// Assertions for the real-n8n end-to-end run. Usage: node check.mjs <check> [args...]; exit 0 = pass.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [check, ...args] = process.argv.slice(2);
const fail = (message) => {
	console.error(message);
	process.exit(1);
};
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const sha = (buffer) => createHash('sha256').update(buffer).digest('hex');

/** Finds a stored binary file by the id n8n gives it ("filesystem-v2:<relative path>"). */
function binaryFile(userFolder, id) {
	const relative = id.replace(/^filesystem(-v2)?:/, '');
	for (const base of [join(userFolder, '.n8n', 'binaryData'), join(userFolder, '.n8n', 'storage')]) {
		const path = join(base, relative);
		if (existsSync(path)) return path;
	}
	// Fall back to a search by file name (layouts differ between n8n versions).
	const name = relative.split('/').pop();
	const stack = [join(userFolder, '.n8n')];
	while (stack.length) {
		const dir = stack.pop();
		for (const entry of readdirSync(dir)) {
			const path = join(dir, entry);
			if (statSync(path).isDirectory()) stack.push(path);
			else if (entry === name) return path;
		}
	}
	return undefined;
}

/**
 * Seedance 2.5 from a binary first frame with audio and the last frame (toapis): the documented wire body reached the
 * simulator, and n8n stored both the MP4 and the last frame PNG. Self-contained: give it the execution result, a reader
 * of stored binaries, the simulator's /__sim/state and the sample MP4; it returns a summary or throws.
 */
export function checkSeedanceLastFrame({ result, readBinary, simState, sampleMp4 }) {
	const problem = (message) => {
		throw new Error(message);
	};
	const item = result.data.resultData.runData['Sora Generate']?.[0]?.data.main[0]?.[0];
	if (!item) problem('Sora Generate gave no item');
	const { json, binary } = item;
	if (json.status !== 'completed' || json.model !== 'seedance-2-5') problem(`task: ${JSON.stringify(json).slice(0, 300)}`);
	const body = simState.submissionBodies.map((b) => JSON.parse(b)).find((b) => b.model === 'seedance-2-5');
	if (!body) problem('no seedance-2-5 submission reached the simulator');
	const uploaded = body.image_with_roles?.[0]?.url ?? '';
	const expected = { model: 'seedance-2-5', prompt: body.prompt, duration: 12, aspect_ratio: '21:9', generate_audio: true, return_last_frame: true, image_with_roles: [{ url: uploaded, role: 'first_frame' }] };
	if (!/\/uploads\/upload_\w+\.png$/.test(uploaded) || JSON.stringify(body) !== JSON.stringify(expected)) problem(`wire body ${JSON.stringify(body)}`);
	if (simState.violations.length) problem(`simulator violations: ${simState.violations.join('; ')}`);
	const video = binary?.video;
	const frame = binary?.lastFrame;
	if (!video || !frame) problem(`binary fields ${JSON.stringify(Object.keys(binary ?? {}))}; expected video and lastFrame`);
	if (sha(readBinary(video)) !== sha(sampleMp4)) problem('the stored MP4 differs from the simulator\'s');
	const png = readBinary(frame);
	if (frame.mimeType !== 'image/png' || png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') problem(`lastFrame is ${frame.mimeType}, ${png.length} B`);
	return `task ${json.id}: body as documented (upload ${uploaded.split('/').pop()}), MP4 ${sampleMp4.length} B and last frame PNG ${png.length} B stored by n8n`;
}

switch (check) {
	case 'seedance-last-frame': {
		// args: result.json, userFolder, sample.mp4, sim-state.json
		const [resultPath, userFolder, samplePath, statePath] = args;
		const readBinary = (binary) => {
			if (!binary.id) return Buffer.from(binary.data, 'base64');
			const path = binaryFile(userFolder, binary.id);
			if (!path) fail(`binary file for ${binary.id} not found`);
			return readFileSync(path);
		};
		try {
			console.log(checkSeedanceLastFrame({ result: readJson(resultPath), readBinary, simState: readJson(statePath), sampleMp4: readFileSync(samplePath) }));
		} catch (error) {
			fail(error.message);
		}
		break;
	}
	case 'video-output': {
		// args: result.json, userFolder, sample.mp4, node name
		const [resultPath, userFolder, samplePath, nodeName] = args;
		const result = readJson(resultPath);
		if (result.status !== 'success' && result.finished !== true) fail(`execution status ${result.status}`);
		const run = result.data.resultData.runData[nodeName]?.[0];
		if (!run) fail(`${nodeName} did not run`);
		const items = run.data.main[0];
		if (items.length !== 1) fail(`expected 1 item, got ${items.length}`);
		const item = items[0];
		const json = item.json;
		const seedRun = result.data.resultData.runData['Seed Task In Simulator'];
		const seeded = seedRun ? seedRun[0].data.main[0][0].json.id : json.id;
		if (!/^video_/.test(String(json.id)) || json.id !== seeded) fail(`task id ${json.id} (expected ${seeded})`);
		if (json.status !== 'completed' || json.progress !== 100) fail(`task not completed: ${JSON.stringify(json)}`);
		if (!json.raw || json.raw.id !== seeded) fail('raw provider response missing');
		if (JSON.stringify(item.pairedItem) !== JSON.stringify({ item: 0 })) fail(`pairedItem ${JSON.stringify(item.pairedItem)}`);
		// Where the API gives no URL (OpenAI-compatible, Azure), the output says where the file is instead.
		const contentPath = json.videoUrl === null ? `/videos/${seeded}/content` : null;
		if (json.contentPath !== contentPath) fail(`contentPath ${json.contentPath} (videoUrl ${json.videoUrl}; expected ${contentPath})`);
		const binary = item.binary?.video;
		if (!binary) fail(`no binary "video": ${JSON.stringify(Object.keys(item.binary ?? {}))}`);
		if (binary.mimeType !== 'video/mp4') fail(`mimeType ${binary.mimeType}`);
		if (binary.fileName !== `${seeded}.mp4`) fail(`fileName ${binary.fileName}`);
		const sample = readFileSync(samplePath);
		let stored;
		if (binary.id) {
			const path = binaryFile(userFolder, binary.id);
			if (!path) fail(`binary file for ${binary.id} not found`);
			stored = readFileSync(path);
		} else {
			stored = Buffer.from(binary.data, 'base64');
		}
		if (sha(stored) !== sha(sample)) fail(`stored MP4 (${stored.length} B) differs from the simulator's (${sample.length} B)`);
		console.log(`task ${seeded} completed; MP4 ${stored.length} B stored by n8n (${binary.id ?? 'inline'}) matches the simulator's; ${contentPath ? `contentPath ${contentPath}` : 'videoUrl given'}`);
		break;
	}
	case 'character-example': {
		// args: result.json, userFolder, sample.mp4
		const [resultPath, userFolder, samplePath] = args;
		const result = readJson(resultPath);
		const runData = result.data.resultData.runData;
		const created = runData['Sora Character']?.[0]?.data.main[0][0]?.json;
		if (!created || created.status !== 'completed' || !/^@sim\w+\.character$/.test(created.mentions ?? '')) fail(`character: ${JSON.stringify(created)}`);
		const videos = runData['Sora Generate']?.[0]?.data.main[0] ?? [];
		if (videos.length !== 2) fail(`expected 2 videos, got ${videos.length}`);
		const sample = sha(readFileSync(samplePath));
		for (const video of videos) {
			if (video.json.status !== 'completed') fail(`video ${video.json.id} is ${video.json.status}`);
			const path = binaryFile(userFolder, video.binary?.video?.id ?? '');
			if (!path || sha(readFileSync(path)) !== sample) fail(`video ${video.json.id}: MP4 missing or different`);
		}
		console.log(`character ${created.mentions} created; 2 videos mentioning it generated and stored as MP4`);
		break;
	}
	case 'batch-example': {
		// args: result.json, userFolder, sample.mp4, sim-state.json, submissions before the run
		const [resultPath, userFolder, samplePath, statePath, before] = args;
		const result = readJson(resultPath);
		const state = readJson(statePath);
		const out = result.data.resultData.runData['Sora Generate']?.[0]?.data.main[0] ?? [];
		if (out.length !== 20) fail(`expected 20 items, got ${out.length}`);
		const sample = sha(readFileSync(samplePath));
		const ids = new Set();
		out.forEach((item, i) => {
			if (item.json.status !== 'completed') fail(`item ${i}: ${item.json.status}`);
			if (item.pairedItem?.item !== i) fail(`item ${i}: pairedItem ${JSON.stringify(item.pairedItem)}`);
			const path = binaryFile(userFolder, item.binary?.video?.id ?? '');
			if (!path || sha(readFileSync(path)) !== sample) fail(`item ${i}: MP4 missing or different`);
			ids.add(item.json.id);
		});
		const submitted = state.submissions - Number(before);
		if (ids.size !== 20 || submitted !== 20) fail(`${ids.size} distinct tasks, ${submitted} submissions`);
		const batchBodies = state.submissionBodies.slice(-20);
		if (new Set(batchBodies).size !== 20) fail('duplicate submissions');
		console.log('20 videos completed and stored, in order, 20 submissions, 0 duplicates');
		break;
	}
	case 'loop-example': {
		// args: result.json, userFolder, sample.mp4
		const [resultPath, userFolder, samplePath] = args;
		const runData = readJson(resultPath).data.resultData.runData;
		const reads = runData['Sora Task Status'] ?? [];
		const done = runData['Video Ready']?.[0]?.data.main[0]?.[0];
		if (!done || done.json.status !== 'completed') fail(`Video Ready: ${JSON.stringify(done?.json)}`);
		const path = binaryFile(userFolder, done.binary?.video?.id ?? '');
		if (!path || sha(readFileSync(path)) !== sha(readFileSync(samplePath))) fail('MP4 missing or different');
		const submitted = runData['Sora Generate'][0].data.main[0][0].json;
		if (submitted.status !== 'queued' || submitted.id !== done.json.id) fail(`Generate output ${JSON.stringify(submitted)}`);
		console.log(`Generate (no wait) → ${reads.length} × (Wait → Task Status → IF) → completed, MP4 stored`);
		break;
	}
	case 'sim-clean': {
		// args: state.json, apiKey
		const [statePath] = args;
		const state = readJson(statePath);
		if (state.violations.length) fail(`contract violations: ${state.violations.join(' | ')}`);
		if (state.leaks.length) fail(`API key reached the CDN: ${state.leaks.join(' | ')}`);
		console.log(`${state.requests.length} API requests, ${state.cdnRequests.length} CDN requests, 0 violations, 0 key leaks`);
		break;
	}
	case 'no-secret': {
		// args: file, secret...
		const [path, ...secrets] = args;
		const text = readFileSync(path, 'utf8');
		for (const secret of secrets) if (text.includes(secret)) fail(`${path} contains a secret`);
		break;
	}
	case 'credential-test': {
		// args: response.json, expected status (OK|Error), expected message regexp
		const [path, status, pattern] = args;
		const body = readJson(path);
		const data = body.data ?? body;
		if (data.status !== status) fail(`credential test: ${JSON.stringify(data)}`);
		if (pattern && !new RegExp(pattern).test(data.message ?? '')) fail(`credential test message: ${data.message}`);
		console.log(`${data.status}: ${data.message}`);
		break;
	}
	default:
		fail(`unknown check ${check}`);
}
