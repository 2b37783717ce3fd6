/**
 * Assertions on what a real n8n produced: run data, its stored binary files, the simulator's view. Each throws an
 * Error saying what was wrong, or returns a line saying what was seen (the test's log).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionResult, ExecuteResult } from './n8n.mts';
import { SAMPLE_MP4 } from './paths.mts';
import type { SimState } from './simulator.mts';

export const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');
export const SAMPLE_SHA = sha256(readFileSync(SAMPLE_MP4));

export class CheckError extends Error {}
export function fail(message: string): never {
	throw new CheckError(message);
}

/** The run data of a successful `n8n execute`; fails with n8n's own output otherwise */
export function succeeded(run: ExecuteResult): ExecutionResult {
	if (run.code !== 0 || !run.result) fail(`n8n execute exited ${run.code}${run.result ? '' : ', no run data'}: ${messagesOf(run.stdout)}\n${run.stderr.slice(-1500)}`);
	return run.result;
}

/** The "message" fields of n8n's JSON log lines: what went wrong, in short */
export function messagesOf(stdout: string): string {
	return [...stdout.matchAll(/"message":"([^"]{0,400})/g)].map((m) => m[1]).slice(-5).join(' | ');
}

/** Finds a stored binary file by the id n8n gives it ("filesystem-v2:<relative path>"). */
export function binaryFile(userFolder: string, id: string): string | undefined {
	const relative = id.replace(/^filesystem(-v2)?:/, '');
	if (!relative) return undefined;
	for (const base of [join(userFolder, '.n8n', 'binaryData'), join(userFolder, '.n8n', 'storage')]) {
		const path = join(base, relative);
		if (existsSync(path)) return path;
	}
	// Fall back to a search by file name (layouts differ between n8n versions).
	const name = relative.split('/').pop();
	const stack = [join(userFolder, '.n8n')];
	while (stack.length) {
		const dir = stack.pop()!;
		for (const entry of readdirSync(dir)) {
			const path = join(dir, entry);
			if (statSync(path).isDirectory()) stack.push(path);
			else if (entry === name) return path;
		}
	}
	return undefined;
}

const itemsOf = (result: ExecutionResult, node: string, output = 0) => result.data.resultData.runData[node]?.[0]?.data?.main[output] ?? [];

/** One video item from `nodeName`: the seeded (or created) task, completed, its MP4 stored by n8n equal to the simulator's */
export function videoOutput(result: ExecutionResult, userFolder: string, nodeName: string): string {
	if (result.status !== 'success' && result.finished !== true) fail(`execution status ${result.status}`);
	const run = result.data.resultData.runData[nodeName]?.[0];
	if (!run) fail(`${nodeName} did not run`);
	const items = itemsOf(result, nodeName);
	if (items.length !== 1) fail(`expected 1 item, got ${items.length}`);
	const item = items[0];
	const json = item.json;
	const seedRun = result.data.resultData.runData['Seed Task In Simulator'];
	const seeded = seedRun ? seedRun[0].data!.main[0]![0].json.id : json.id;
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
	let stored: Buffer;
	if (binary.id) {
		const path = binaryFile(userFolder, binary.id);
		if (!path) fail(`binary file for ${binary.id} not found`);
		stored = readFileSync(path);
	} else {
		stored = Buffer.from(binary.data ?? '', 'base64');
	}
	if (sha256(stored) !== SAMPLE_SHA) fail(`stored MP4 (${stored.length} B) differs from the simulator's`);
	return `task ${seeded} completed; MP4 ${stored.length} B stored by n8n (${binary.id ?? 'inline'}) matches the simulator's; ${contentPath ? `contentPath ${contentPath}` : 'videoUrl given'}`;
}

const storedIsSample = (userFolder: string, id: string | undefined) => {
	const path = id ? binaryFile(userFolder, id) : undefined;
	return !!path && sha256(readFileSync(path)) === SAMPLE_SHA;
};

export function characterExample(result: ExecutionResult, userFolder: string): string {
	const created = itemsOf(result, 'Sora Character')[0]?.json;
	if (!created || created.status !== 'completed' || !/^@sim\w+\.character$/.test(created.mentions ?? '')) fail(`character: ${JSON.stringify(created)}`);
	const videos = itemsOf(result, 'Sora Generate');
	if (videos.length !== 2) fail(`expected 2 videos, got ${videos.length}`);
	for (const video of videos) {
		if (video.json.status !== 'completed') fail(`video ${video.json.id} is ${video.json.status}`);
		if (!storedIsSample(userFolder, video.binary?.video?.id)) fail(`video ${video.json.id}: MP4 missing or different`);
	}
	return `character ${created.mentions} created; 2 videos mentioning it generated and stored as MP4`;
}

export function batchExample(result: ExecutionResult, userFolder: string, state: SimState, submissionsBefore: number): string {
	const out = itemsOf(result, 'Sora Generate');
	if (out.length !== 20) fail(`expected 20 items, got ${out.length}`);
	const ids = new Set<string>();
	out.forEach((item, i) => {
		if (item.json.status !== 'completed') fail(`item ${i}: ${item.json.status}`);
		if ((item.pairedItem as { item?: number } | undefined)?.item !== i) fail(`item ${i}: pairedItem ${JSON.stringify(item.pairedItem)}`);
		if (!storedIsSample(userFolder, item.binary?.video?.id)) fail(`item ${i}: MP4 missing or different`);
		ids.add(item.json.id);
	});
	const submitted = state.submissions - submissionsBefore;
	if (ids.size !== 20 || submitted !== 20) fail(`${ids.size} distinct tasks, ${submitted} submissions`);
	if (new Set(state.submissionBodies.slice(-20)).size !== 20) fail('duplicate submissions');
	return '20 videos completed and stored, in order, 20 submissions, 0 duplicates';
}

export function loopExample(result: ExecutionResult, userFolder: string): string {
	const runData = result.data.resultData.runData;
	const reads = runData['Sora Task Status'] ?? [];
	const done = itemsOf(result, 'Video Ready')[0];
	if (!done || done.json.status !== 'completed') fail(`Video Ready: ${JSON.stringify(done?.json)}`);
	if (!storedIsSample(userFolder, done.binary?.video?.id)) fail('MP4 missing or different');
	const submitted = itemsOf(result, 'Sora Generate')[0]?.json;
	if (submitted?.status !== 'queued' || submitted.id !== done.json.id) fail(`Generate output ${JSON.stringify(submitted)}`);
	return `Generate (no wait) → ${reads.length} × (Wait → Task Status → IF) → completed, MP4 stored`;
}

export function simClean(state: SimState): string {
	if (state.violations.length) fail(`contract violations: ${state.violations.join(' | ')}`);
	if (state.leaks.length) fail(`API key reached the CDN: ${state.leaks.join(' | ')}`);
	return `${state.requests.length} API requests, ${state.cdnRequests.length} CDN requests, 0 violations, 0 key leaks`;
}

export function noSecret(what: string, text: string, ...secrets: string[]): void {
	for (const secret of secrets) if (text.includes(secret)) fail(`${what} contains a secret`);
}

/**
 * Seedance 2.5, 12 s at 21:9, a first frame from a binary field (uploaded first), audio on, the last frame returned:
 * the wire body its toapis page documents (plus the business id every new toapis video carries), the MP4 and the
 * last frame PNG stored by n8n.
 */
export function seedanceLastFrame(result: ExecutionResult, userFolder: string, state: SimState): string {
	const [item] = itemsOf(result, 'Sora Generate');
	if (!item) fail('Sora Generate gave no item');
	const { json, binary } = item;
	if (json.status !== 'completed' || json.model !== 'seedance-2-5') fail(`task: ${JSON.stringify(json).slice(0, 300)}`);
	const body = state.submissionBodies.map((b) => JSON.parse(b) as Record<string, unknown>).find((b) => b.model === 'seedance-2-5');
	if (!body) fail('no seedance-2-5 submission reached the simulator');
	const uploaded = String((body.image_with_roles as Array<{ url: string }> | undefined)?.[0]?.url ?? '');
	const { client_business_id: businessId, ...documented } = body;
	const expected = { model: 'seedance-2-5', prompt: body.prompt, duration: 12, aspect_ratio: '21:9', generate_audio: true, return_last_frame: true, image_with_roles: [{ url: uploaded, role: 'first_frame' }] };
	if (!/\/uploads\/upload_\w+\.png$/.test(uploaded) || JSON.stringify(documented) !== JSON.stringify(expected)) fail(`wire body ${JSON.stringify(body)}`);
	if (!/^n8n-/.test(String(businessId))) fail(`business id ${String(businessId)}`);
	if (state.violations.length) fail(`simulator violations: ${state.violations.join('; ')}`);
	const video = binary?.video;
	const frame = binary?.lastFrame;
	if (!video?.id || !frame?.id) fail(`binary fields ${JSON.stringify(Object.keys(binary ?? {}))}; expected video and lastFrame in n8n's store`);
	const read = (id: string) => {
		const path = binaryFile(userFolder, id);
		if (!path) fail(`binary file for ${id} not found`);
		return readFileSync(path);
	};
	const mp4 = read(video.id);
	if (sha256(mp4) !== SAMPLE_SHA) fail("the stored MP4 differs from the simulator's");
	const png = read(frame.id);
	if (frame.mimeType !== 'image/png' || png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') fail(`lastFrame is ${frame.mimeType}, ${png.length} B`);
	return `task ${json.id}: body as documented (upload ${uploaded.split('/').pop()}), MP4 ${mp4.length} B and last frame PNG ${png.length} B stored by n8n`;
}
