/**
 * Nothing lost, nothing leaked: every wrong input and every fault the nodes must survive, against one simulator,
 * with four invariants measured over the whole suite (lost task ids, duplicate paid submissions, contract
 * violations, API key occurrences / key headers at the CDN). The figures are printed at the end.
 *
 * Each node run tags its API requests (x-sim-label) and the simulator records which request created which task, so
 * every accepted task belongs to exactly one run, and so to the test that started it, even when runs overlap (a test
 * that outlived its timeout still runs while the next ones go). A task is lost when the run that submitted it ended
 * without showing its id. A run still going at the end (its test hung, which fails that test on its own) cannot be
 * judged: its tasks are reported apart, as in runs that did not finish, never counted as product losses.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { SoraCharacter } from '../nodes/SoraCharacter/SoraCharacter.node';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import {
	isUploadedFile,
	SAMPLE_MP4,
	startSimulator,
	type Fault,
	type Flavor,
	type RecordedRequest,
	type SoraSimulator,
} from '../simulator/server.mts';
import {
	allText,
	credentialsFor,
	finishNow,
	itemWithBinary,
	makePng,
} from './harness/fixtures.mts';
import { readStored, runNode, type RunResult } from './harness/run-node.mts';
import { HANG_GUARD_MS, loggedSubmission, waitUntil } from './harness/wait.mts';

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator({ defaultScenario: { durationMs: 800 } });
});

const rl = (value: string) => ({ __rl: true, mode: 'list', value });
type NodeClass = new () => INodeType;

// ---- the invariants, accumulated over every case ---------------------------------------------------------------
const figures = {
	badInputs: 0,
	badInputsRefusedWithoutRequest: 0,
	faults: 0,
	faultsWithDesignedOutcome: 0,
	keyOccurrences: 0,
};

/** One node run: when it went on, and everything it showed (output, error, logs) once it ended. */
interface RunRecord {
	test: string;
	/** On every API request it made (x-sim-label) */
	label: string;
	startedAt: number;
	endedAt?: number;
	/** undefined while it runs, or if the harness itself threw */
	text?: string;
}
/** One test case: its runs, and whether its body has returned (or thrown) yet. */
interface TestRecord {
	name: string;
	runs: RunRecord[];
	body?: Promise<void>;
}
const tests: TestRecord[] = [];
const runs: RunRecord[] = [];
/** The test whose body a run was started from, even when that body outlives its test (a timeout does not stop it) */
const currentTest = new AsyncLocalStorage<TestRecord>();
/** Tasks a test created itself (sim.createTask), which no node submitted */
const seeded = new Set<string>();

function seed(...args: Parameters<SoraSimulator['createTask']>) {
	const task = sim.createTask(...args);
	seeded.add(task.id);
	return task;
}

/** Runs a test body as one attributed case. */
async function attributed(name: string, body: () => Promise<void>): Promise<void> {
	const record: TestRecord = { name, runs: [] };
	tests.push(record);
	record.body = currentTest.run(record, body);
	await record.body;
}

/** Runs a node and records what it produced, for the invariants. */
async function run(node: NodeClass, options: Parameters<typeof runNode>[1]): Promise<RunResult> {
	const test = currentTest.getStore();
	const record: RunRecord = {
		test: test?.name ?? '(outside any test)',
		label: `reliability-run-${runs.length + 1}`,
		startedAt: Date.now(),
	};
	runs.push(record);
	test?.runs.push(record);
	let result: RunResult;
	try {
		result = await runNode(node, { ...options, requestLabel: record.label });
	} finally {
		record.endedAt = Date.now();
	}
	const text =
		allText(result.output) +
		allText(result.error) +
		allText({ message: result.error?.message, description: result.error?.description }) +
		result.logs.join('\n');
	record.text = text;
	// A blank key (the empty-key case) is no secret, and would match any indentation in a stack trace.
	for (const key of [sim.apiKey, String(options.credentials.apiKey ?? '').trim()])
		if (key && text.includes(key)) figures.keyOccurrences++;
	return result;
}

const finished = (r: RunRecord) => r.text !== undefined;
/** The API requests a run made, from the simulator's record */
const requestsOf = (r: RunRecord) => sim.requests.filter((q) => q.label === r.label);
/** A paid submission as the simulator saw it: where it went and what it asked for (file parts by name and size) */
const submissionKey = (q: RecordedRequest) =>
	`${q.method} ${q.path} ${JSON.stringify(q.body, (_key, v) => (isUploadedFile(v) ? { fileName: v.fileName, type: v.type, size: v.size } : v))}`;

/** Judges every accepted task, and every paid submission, by the run that made it. */
function ledger() {
	const byLabel = new Map(runs.map((r) => [r.label, r]));
	const creator = new Map(
		sim.requests.filter((q) => q.createdTask).map((q) => [q.createdTask!, q]),
	);
	const lost: Array<{ id: string; test: string }> = [];
	const inUnfinishedRuns: Array<{ id: string; test: string }> = [];
	let accepted = 0;
	for (const task of sim.tasks.values()) {
		if (seeded.has(task.id)) continue;
		accepted++;
		const run = byLabel.get(creator.get(task.id)?.label ?? '');
		if (run?.text?.includes(task.id)) continue;
		// Not made by any run of this suite (no label) is a loss too: the suite submits nothing else.
		if (run && !finished(run)) inUnfinishedRuns.push({ id: task.id, test: run.test });
		else lost.push({ id: task.id, test: run?.test ?? '(no run)' });
	}
	// Duplicate paid submissions: the same request creating a task twice within one run.
	const keysByRun = new Map<string | undefined, string[]>();
	for (const q of creator.values())
		keysByRun.set(q.label, [...(keysByRun.get(q.label) ?? []), submissionKey(q)]);
	const duplicateSubmissions = [...keysByRun.values()].reduce(
		(sum, keys) => sum + keys.length - new Set(keys).size,
		0,
	);
	return { accepted, lost, inUnfinishedRuns, duplicateSubmissions };
}

const creds = (flavor: Flavor, patch: IDataObject = {}) =>
	({ ...credentialsFor(sim, flavor), ...patch }) as ICredentialDataDecryptedObject;

// ---- bad inputs ------------------------------------------------------------------------------------------------
interface BadInput {
	name: string;
	node: NodeClass;
	flavor: Flavor;
	parameters: IDataObject;
	message: RegExp;
	items?: () => INodeExecutionData[];
	credentials?: IDataObject;
	/** parameters of a valid item to run beside it under Continue On Fail */
	good: IDataObject;
}
const goodGenerate = { model: rl('sora-2'), prompt: 'A good one' };
// Operation takes no expression in n8n, so a remix or get case runs beside a valid item of the same operation.
const goodRemix = { operation: 'remix', videoId: '__TASK__', prompt: 'A good one' };
const goodCharacter = { model: rl('sora-2'), timestamps: '1,3', url: 'https://example.com/ok.mp4' };
const gen = (name: string, flavor: Flavor, parameters: IDataObject, message: RegExp): BadInput => ({
	name: `Sora Generate: ${name}`,
	node: SoraGenerate,
	flavor,
	parameters: { prompt: 'A cat surfing a wave', ...parameters },
	message,
	good:
		flavor === 'azure'
			? { ...goodGenerate, model: { __rl: true, mode: 'id', value: 'dep' } }
			: goodGenerate,
});
const char = (name: string, parameters: IDataObject, message: RegExp): BadInput => ({
	name: `Sora Character: ${name}`,
	node: SoraCharacter,
	flavor: 'toapis',
	parameters: { model: rl('sora-2'), timestamps: '1,3', ...parameters },
	message,
	good: goodCharacter,
});
const withFile =
	(property: string, data: () => Buffer, mimeType: string, fileName: string) => () => [
		itemWithBinary(property, data(), mimeType, fileName),
		itemWithBinary(property, data(), mimeType, fileName),
	];

const BAD_INPUTS: BadInput[] = [
	gen(
		'sora-2 at 12 s',
		'toapis',
		{ model: rl('sora-2'), duration: 12 },
		/Duration is 12, but sora-2 allows 10 s or 15 s/,
	),
	gen(
		'sora-2-pro at 10 s',
		'toapis',
		{ model: rl('sora-2-pro'), duration: 10 },
		/sora-2-pro allows 15 s or 25 s/,
	),
	gen(
		'sora-2-vvip at 10 s',
		'toapis',
		{ model: rl('sora-2-vvip'), duration: 10 },
		/sora-2-vvip allows 4 s, 8 s or 12 s/,
	),
	gen(
		'sora-2-official at 15 s',
		'toapis',
		{ model: rl('sora-2-official'), duration: 15 },
		/sora-2-official allows 4 s, 8 s or 12 s/,
	),
	gen(
		'OpenAI sora-2 at 10 s',
		'openaiCompatible',
		{ model: rl('sora-2'), duration: 10 },
		/sora-2 allows 4 s, 8 s or 12 s/,
	),
	gen(
		'Azure at 15 s',
		'azure',
		{ model: { __rl: true, mode: 'id', value: 'dep' }, duration: 15 },
		/model "dep" allows 4 s, 8 s or 12 s/,
	),
	gen(
		'a fractional duration',
		'toapis',
		{ model: rl('sora-3'), duration: 7.5 },
		/Duration is 7.5, but it must be a whole number/,
	),
	gen(
		'HD on sora-2',
		'toapis',
		{ model: rl('sora-2'), additionalFields: { hd: true } },
		/HD is true, but HD needs sora-2-pro/,
	),
	gen(
		'HD at 25 s',
		'toapis',
		{ model: rl('sora-2-pro'), duration: 25, additionalFields: { hd: true } },
		/HD is not available at 25 s/,
	),
	gen(
		'n = 5',
		'toapis',
		{ model: rl('sora-2'), additionalFields: { n: 5 } },
		/Number of Variants is 5, but it must be a whole number from 1 to 4/,
	),
	gen(
		'n = 0',
		'toapis',
		{ model: rl('sora-2'), additionalFields: { n: 0 } },
		/is 0, but it must be a whole number from 1 to 4/,
	),
	gen(
		'an unknown style',
		'toapis',
		{ model: rl('sora-2'), additionalFields: { style: 'noir' } },
		/Style is "noir", but it must be thanksgiving, comic, news, selfie, nostalgic, anime/,
	),
	gen(
		'a data: URI image',
		'toapis',
		{ imageUrls: 'data:image/png;base64,iVBORw0KGgo=' },
		/base64 or a data: URI/,
	),
	gen(
		'raw base64 as an image',
		'toapis',
		{
			imageUrls:
				'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
		},
		/base64 or a data: URI/,
	),
	gen(
		'an ftp image URL',
		'toapis',
		{ imageUrls: 'ftp://example.com/a.png' },
		/Image URLs is "ftp:\/\/example.com\/a.png", but each image must be a public http\(s\) URL/,
	),
	gen(
		'two images for sora-2-official',
		'toapis',
		{ model: rl('sora-2-official'), imageUrls: 'https://e.com/a.png\nhttps://e.com/b.png' },
		/2 reference images were given, but sora-2-official uses only 1/,
	),
	gen(
		'image URLs on an OpenAI-style flavor',
		'openaiCompatible',
		{ imageUrls: 'https://e.com/a.png' },
		/takes the reference image as a file, not a URL/,
	),
	gen(
		'timestamps not start,end',
		'toapis',
		{ additionalFields: { characterUrl: 'https://e.com/c.mp4', characterTimestamps: '1-3' } },
		/Character Timestamps is "1-3", but it must be "start,end"/,
	),
	gen(
		'a 3-second character segment',
		'toapis',
		{ additionalFields: { characterUrl: 'https://e.com/c.mp4', characterTimestamps: '1,4' } },
		/only supports 2-second segments/,
	),
	gen(
		'timestamps without a character URL',
		'toapis',
		{ additionalFields: { characterTimestamps: '1,3' } },
		/Character Timestamps needs a Character URL/,
	),
	gen(
		'a character URL that is neither URL nor id',
		'toapis',
		{ additionalFields: { characterUrl: 'data:video/mp4;base64,AAAA' } },
		/Character URL is "data:video/,
	),
	gen(
		'a bad character task id',
		'toapis',
		{ additionalFields: { characterFromTask: 'not an id!' } },
		/Character From Task is "not an id!"/,
	),
	gen(
		'metadata on sora-2-official',
		'toapis',
		{ model: rl('sora-2-official'), additionalFields: { watermark: true } },
		/Watermark is not available for sora-2-official/,
	),
	gen(
		'thumbnail on sora-2-official',
		'toapis',
		{ model: rl('sora-2-official'), additionalFields: { thumbnail: true } },
		/Thumbnail is not available for sora-2-official/,
	),
	gen(
		'metadata on the OpenAI-compatible flavor',
		'openaiCompatible',
		{ additionalFields: { style: 'anime' } },
		/Style is not available on the OpenAI-compatible flavor/,
	),
	gen(
		'a size sora-2 does not have',
		'openaiCompatible',
		{ model: rl('sora-2'), additionalFields: { size: '1792x1024' } },
		/Size is "1792x1024", but sora-2 allows 1280x720 or 720x1280/,
	),
	gen(
		'a size against the aspect ratio',
		'openaiCompatible',
		{ model: rl('sora-2'), aspectRatio: '9:16', additionalFields: { size: '1280x720' } },
		/does not match the aspect ratio 9:16/,
	),
	gen(
		'size on toapis',
		'toapis',
		{ additionalFields: { size: '1280x720' } },
		/Size is only used on the OpenAI-compatible and Azure flavors/,
	),
	gen('an empty prompt', 'toapis', { prompt: '   ' }, /Prompt is empty/),
	gen(
		'an empty model',
		'azure',
		{ model: { __rl: true, mode: 'id', value: '={{ $json.deployment }}' } },
		/Model is empty/,
	),
	{
		...gen(
			'a remix without a video id',
			'toapis',
			{ operation: 'remix', videoId: '={{ $json.videoId }}' },
			/Video ID is empty/,
		),
		good: goodRemix,
	},
	{
		...gen(
			'a duration on an OpenAI-style remix',
			'openaiCompatible',
			{ operation: 'remix', videoId: 'video_1', duration: 8 },
			/a remix on the OpenAI-compatible flavor takes only the prompt/,
		),
		good: goodRemix,
	},
	{
		...gen(
			'a duration on a sora-2-official remix',
			'toapis',
			{ operation: 'remix', videoId: 'video_1', model: rl('sora-2-official'), duration: 8 },
			/a remix on sora-2-official takes only the prompt/,
		),
		good: { ...goodRemix, model: rl('sora-2-official'), duration: 0 },
	},
	char(
		'timestamps not start,end',
		{ url: 'https://e.com/v.mp4', timestamps: '1 to 3' },
		/Timestamps is "1 to 3", but it must be "start,end"/,
	),
	char(
		'a range under 1 s',
		{ url: 'https://e.com/v.mp4', timestamps: '1,1.5' },
		/\(0.5 s\), but the range must be at least 1 s and at most 3 s/,
	),
	char(
		'a range over 3 s',
		{ url: 'https://e.com/v.mp4', timestamps: '0,4' },
		/\(4 s\), but the range must be at least 1 s and at most 3 s/,
	),
	char(
		'an end before the start',
		{ url: 'https://e.com/v.mp4', timestamps: '3,1' },
		/must be at least 1 s/,
	),
	char(
		'both URL and task',
		{ url: 'https://e.com/v.mp4', fromTask: 'video_123' },
		/exactly one video source; Video URL and From Task are all set/,
	),
	char('no source at all', {}, /No video source/),
	char(
		'a non-http(s) URL',
		{ url: 'ftp://e.com/v.mp4' },
		/Video URL is "ftp:\/\/e.com\/v.mp4", but it must be a public http\(s\) URL/,
	),
	char(
		'a bad task id',
		{ fromTask: 'not a task!' },
		/From Task is "not a task!", but it must be a task id/,
	),
	{
		...char(
			'an empty model',
			{ url: 'https://e.com/v.mp4', model: { __rl: true, mode: 'id', value: ' ' } },
			/Model is empty/,
		),
		good: { ...goodCharacter, model: { __rl: true, mode: 'id', value: 'sora-2' } },
	},
	{
		...char(
			'an empty task id on get',
			{ operation: 'get', taskId: '={{ $json.taskId }}' },
			/Character Task ID is empty/,
		),
		good: { operation: 'get', taskId: '__CHARACTER_TASK__' },
	},
	gen(
		'a prompt over the OpenAI-style limit',
		'openaiCompatible',
		{ prompt: 'x'.repeat(32_001) },
		/Prompt has 32001 characters, but the OpenAI-compatible API takes at most 32000/,
	),
	{
		...gen(
			'an image binary field that does not exist',
			'toapis',
			{ imageBinaryPropertyName: 'image' },
			/Image From Binary Field is "image", but the item has no such binary field/,
		),
		items: () => [itemWithBinary('photo', makePng(8, 8), 'image/png', 'p.png'), { json: {} }],
	},
	{
		...gen(
			'a binary that is not an image',
			'toapis',
			{ imageBinaryPropertyName: 'data' },
			/is not an image/,
		),
		items: withFile('data', () => Buffer.from('%PDF-1.7'), 'image/png', 'x.png'),
	},
	{
		...gen(
			'an image over 10 MB',
			'toapis',
			{ imageBinaryPropertyName: 'data' },
			/uploads are limited to 10 MB/,
		),
		items: withFile(
			'data',
			() => Buffer.concat([makePng(8, 8), Buffer.alloc(10 * 1024 * 1024 + 1)]),
			'image/png',
			'big.png',
		),
	},
	{
		...gen(
			'a reference image of the wrong size for sora-2-official',
			'toapis',
			{ model: rl('sora-2-official'), aspectRatio: '9:16', imageBinaryPropertyName: 'data' },
			/is 1280x720, but sora-2-official needs exactly 720x1280/,
		),
		items: withFile('data', () => makePng(1280, 720), 'image/png', 'f.png'),
	},
	{
		...char(
			'a clip that is not a video',
			{ videoBinaryPropertyName: 'clip' },
			/is not an MP4, WebM or MOV video/,
		),
		items: withFile('clip', () => makePng(8, 8), 'video/mp4', 'c.mp4'),
	},
	{
		...char(
			'a clip over 50 MB',
			{ videoBinaryPropertyName: 'clip' },
			/uploads are limited to 50 MB/,
		),
		items: withFile(
			'clip',
			() => Buffer.concat([SAMPLE_MP4, Buffer.alloc(50 * 1024 * 1024)]),
			'video/mp4',
			'c.mp4',
		),
	},
	{
		name: 'Sora Task Status: an empty task id',
		node: SoraTaskStatus,
		flavor: 'toapis',
		parameters: { taskId: ' ' },
		message: /Task ID is empty/,
		good: { taskId: '__TASK__' },
	},
	{
		name: 'Sora Task Status: a character task on the OpenAI-compatible flavor',
		node: SoraTaskStatus,
		flavor: 'openaiCompatible',
		parameters: { taskId: 'task_1', taskType: 'character' },
		message: /has no character tasks/,
		good: { taskId: '__TASK__' },
	},
	{
		...gen(
			'a callback URL on another host',
			'toapis',
			{ additionalFields: { callbackUrl: 'https://evil.example.com/hook' } },
			/Callback URL is "https:\/\/evil.example.com\/hook", but a callback URL may only change the path and query of the credential's Webhook URL: it must start with https:\/\/n8n.example.com\//,
		),
		credentials: { webhookUrl: 'https://n8n.example.com/webhook/abc/webhook' },
	},
	gen(
		'a callback URL without a Webhook URL in the credential',
		'toapis',
		{ additionalFields: { callbackUrl: '/webhook/abc/webhook' } },
		/Callback URL is "\/webhook\/abc\/webhook", but the Sora API credential has no Webhook URL/,
	),
	gen(
		'a client business id on the OpenAI-compatible flavor',
		'openaiCompatible',
		{ additionalFields: { clientBusinessId: 'row-1' } },
		/Client Business ID is a toapis feature, not available on the OpenAI-compatible flavor/,
	),
	gen(
		'a client business id over 255 characters',
		'toapis',
		{ additionalFields: { clientBusinessId: 'r'.repeat(256) } },
		/Client Business ID is "r+\.\.\.", but it must be at most 255 characters without control characters/,
	),
	{
		...gen(
			'credential: a base URL without a scheme',
			'toapis',
			{},
			/Base URL "toapis.com" must start with https:\/\//,
		),
		credentials: { baseUrl: 'toapis.com' },
	},
	{
		...gen('credential: an empty API key', 'toapis', {}, /has no API key/),
		credentials: { apiKey: '  ' },
	},
	{
		...gen(
			'credential: Azure without a resource URL',
			'azure',
			{ model: { __rl: true, mode: 'id', value: 'dep' } },
			/Azure flavor needs your resource URL/,
		),
		credentials: { baseUrl: '' },
	},
];

describe(`${BAD_INPUTS.length} kinds of bad input: refused before any request, naming the field, the value and what is allowed`, () => {
	it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', (name, c) =>
		attributed(name, async () => {
			figures.badInputs++;
			const requestsBefore = sim.requests.length;
			const credentials = creds(c.flavor, c.credentials);
			const alone = await run(c.node, {
				parameters: c.parameters,
				credentials,
				items: c.items?.().slice(0, 1),
			});
			const aloneRun = runs.at(-1)!;
			expect(alone.error?.message).toMatch(c.message);
			// n8n records a node's error as a copy of its own fields: its class is in `name`.
			expect(alone.error?.name).toMatch(/NodeOperationError|ExecutionCancelled/);
			expect((alone.error as { context?: IDataObject })?.context?.itemIndex ?? 0).toBe(0);
			// its own requests, by their label; and nothing at all (the CDN too) unless another test's run still goes on
			expect(requestsOf(aloneRun)).toEqual([]);
			if (runs.every((r) => r === aloneRun || r.endedAt !== undefined))
				expect(sim.requests.length).toBe(requestsBefore);

			// Continue On Fail: the bad item (index 1 here) becomes an error item and the good one goes on.
			const items = c.items?.() ?? [{ json: {} }, { json: {} }];
			const seededKinds = { __TASK__: 'video', __CHARACTER_TASK__: 'character' } as const;
			const good = Object.fromEntries(
				Object.entries(c.good).map(([key, value]) => [
					key,
					typeof value === 'string' && value in seededKinds
						? seed(c.flavor, seededKinds[value as keyof typeof seededKinds], { durationMs: 0 }).id
						: value,
				]),
			);
			const mixed = await run(c.node, {
				parameters: (i) => (i === 1 ? c.parameters : good),
				credentials,
				items: [items[1] ?? { json: {} }, items[0]],
				continueOnFail: true,
			});
			expect(mixed.error).toBeUndefined();
			expect((mixed.output![1].json.error as IDataObject).message).toMatch(c.message);
			expect(mixed.output!.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			if (!c.credentials) expect(mixed.output![0].json.error ?? null).toBeNull(); // the good item went on
			figures.badInputsRefusedWithoutRequest++;
		}),
	);
});

// ---- faults --------------------------------------------------------------------------------------------------
interface FaultCase {
	name: string;
	/** What the node is designed to do */
	outcome: string;
	run: () => Promise<void>;
}
const POST_TOAPIS = { method: 'POST', path: '/v1/videos/generations' };
const GET_TOAPIS = { method: 'GET', path: /^\/v1\/videos\/generations\// };
const generateToapis = (
	extra: IDataObject = {},
	options: Partial<Parameters<typeof runNode>[1]> = {},
) =>
	run(SoraGenerate, {
		parameters: {
			model: rl('sora-2'),
			prompt: 'A fault-tolerant cat',
			waitForCompletion: true,
			pollInterval: 1,
			maxWaitTime: 20,
			...extra,
		},
		credentials: creds('toapis'),
		...options,
	});
const readStatus = (
	flavor: Flavor,
	taskId: string,
	extra: IDataObject = {},
	options: Partial<Parameters<typeof runNode>[1]> = {},
) =>
	run(SoraTaskStatus, { parameters: { taskId, ...extra }, credentials: creds(flavor), ...options });
const inject = (...faults: Fault[]) => sim.inject(...faults);
const submissionsNow = () => sim.submissions.length;

const FAULTS: FaultCase[] = [
	{
		name: '429 with Retry-After on submit',
		outcome: 'waits as told, submits once more, completes',
		run: async () => {
			inject({
				match: POST_TOAPIS,
				kind: 'status',
				status: 429,
				headers: { 'retry-after': '1' },
				body: {
					error: { code: 'rate_limit_exceeded', message: 'Async task request rate exceeded' },
				},
			});
			const before = submissionsNow();
			const r = await generateToapis();
			expect(r.output![0].json.status).toBe('completed');
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: '429 with Retry-After on status',
		outcome: 'waits as told, reads again, completes',
		run: async () => {
			inject({ match: GET_TOAPIS, kind: 'status', status: 429, headers: { 'retry-after': '1' } });
			expect((await generateToapis()).output![0].json.status).toBe('completed');
		},
	},
	{
		name: '500 twice, then success, on status',
		outcome: 'retries the read, completes',
		run: async () => {
			inject({
				match: GET_TOAPIS,
				kind: 'status',
				status: 500,
				times: 2,
				headers: { 'retry-after': '0' },
			});
			expect((await generateToapis()).output![0].json.status).toBe('completed');
		},
	},
	{
		name: '503 on submit',
		outcome: 'looked up by business id: it never arrived, so it is sent once more; one paid video',
		run: async () => {
			// a 503 that does not say the limiter refused it (rate_limit_unavailable is retried like a 429: test/hosts.test.mts)
			inject({
				match: POST_TOAPIS,
				kind: 'status',
				status: 503,
				body: { error: { code: 'server_error', message: 'Upstream unavailable' } },
			});
			const before = submissionsNow();
			const postsBefore = sim.requests.filter((q) => q.method === 'POST').length;
			const r = await generateToapis();
			expect(r.output![0].json.status).toBe('completed');
			expect(sim.requests.filter((q) => q.method === 'POST').length - postsBefore).toBe(2);
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: '502 with an HTML body on status',
		outcome: 'retries the read, completes',
		run: async () => {
			inject({ match: GET_TOAPIS, kind: 'html', status: 502, headers: { 'retry-after': '0' } });
			expect((await generateToapis()).output![0].json.status).toBe('completed');
		},
	},
	{
		name: 'malformed JSON on status',
		outcome: 'retries the read, completes',
		run: async () => {
			inject({ match: GET_TOAPIS, kind: 'badJson' });
			expect((await generateToapis()).output![0].json.status).toBe('completed');
		},
	},
	{
		name: 'malformed (cut-off) JSON answering an accepted submit',
		outcome: 'not repeated; the task is found by its business id and followed',
		run: async () => {
			inject({ match: POST_TOAPIS, kind: 'badJson', afterHandling: true });
			const before = submissionsNow();
			const r = await generateToapis();
			const id = [...sim.tasks.keys()].at(-1)!;
			expect(r.output![0].json.id).toBe(id);
			expect(r.output![0].json.status).toBe('completed');
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: 'malformed JSON answering an accepted submit, OpenAI-compatible (no lookup there)',
		outcome: 'not repeated; the id read from the cut-off answer is in the error',
		run: async () => {
			inject({
				match: { method: 'POST', path: '/v1/videos' },
				kind: 'badJson',
				afterHandling: true,
			});
			const before = submissionsNow();
			const r = await run(SoraGenerate, {
				parameters: { model: rl('sora-2'), prompt: 'A lighthouse at night' },
				credentials: creds('openaiCompatible'),
			});
			const id = [...sim.tasks.keys()].at(-1)!;
			expect(r.error?.message).toMatch(/not a JSON object/);
			expect(`${r.error?.message} ${r.error?.description}`).toContain(id);
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: 'connection reset on status',
		outcome: 'retries the read, completes',
		run: async () => {
			inject({ match: GET_TOAPIS, kind: 'reset' });
			expect((await generateToapis()).output![0].json.status).toBe('completed');
		},
	},
	{
		name: 'connection reset on submit, before the provider took it',
		outcome: 'looked up by business id: it never arrived, so it is sent once more; one paid video',
		run: async () => {
			inject({ match: POST_TOAPIS, kind: 'reset' });
			const before = submissionsNow();
			const r = await generateToapis();
			expect(r.output![0].json.status).toBe('completed');
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: 'connection reset on submit after the provider took it, found only after an indexing delay',
		outcome: 'looked up again until it shows; one paid video, followed',
		run: async () => {
			inject({ match: POST_TOAPIS, kind: 'reset', afterHandling: true });
			sim.businessIdLagMs = 2500;
			const before = submissionsNow();
			const r = await generateToapis();
			sim.businessIdLagMs = 0;
			expect(r.output![0].json.id).toBe([...sim.tasks.keys()].at(-1));
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: 'a status read that hangs past the timeout',
		outcome: 'times out after Request Timeout, reads again, completes',
		run: async () => {
			inject({ match: GET_TOAPIS, kind: 'hang' });
			// 5 s, not 1: the Request Timeout holds for the submit and the answered reads too, which a busy machine slows
			expect(
				(await generateToapis({ options: { requestTimeout: 5 } })).output![0].json.status,
			).toBe('completed');
		},
	},
	{
		name: 'a task stuck forever',
		outcome: 'gives up at Max Wait; the error names the task id',
		run: async () => {
			const r = await generateToapis({ prompt: 'Stuck [sim:stuck]', maxWaitTime: 2 });
			expect(r.error?.message).toContain([...sim.tasks.keys()].at(-1));
		},
	},
	{
		name: 'a task failing for content policy',
		outcome: "output as data: status failed, the provider's code and message",
		run: async () => {
			const r = await generateToapis({ prompt: 'Not allowed [sim:fail]' });
			expect(r.output![0].json).toMatchObject({
				status: 'failed',
				error: { code: 'generation_failed' },
			});
		},
	},
	{
		name: '422 content policy at submit',
		outcome: "not repeated; the provider's words and what to change",
		run: async () => {
			inject({
				match: POST_TOAPIS,
				kind: 'status',
				status: 422,
				body: {
					error: {
						code: 'content_policy_violation',
						message: 'Prompt violates the content policy',
					},
				},
			});
			const r = await generateToapis();
			expect(r.error?.message).toMatch(
				/content policy refused the request \(422\): Prompt violates/,
			);
		},
	},
	{
		name: '401 bad key',
		outcome: 'says the key was rejected; never shows it',
		run: async () => {
			const r = await run(SoraGenerate, {
				parameters: { model: rl('sora-2'), prompt: 'x' },
				credentials: creds('toapis', { apiKey: 'sk-wrong-0000111122223333' }),
			});
			expect(r.error?.message).toMatch(/rejected the API key \(401\)/);
			expect(allText(r.error)).not.toContain('sk-wrong-0000111122223333');
		},
	},
	{
		name: '402 no balance',
		outcome: "says the balance is gone, with the provider's words",
		run: async () => {
			inject({
				match: POST_TOAPIS,
				kind: 'status',
				status: 402,
				body: { error: { code: 'insufficient_quota', message: 'Insufficient balance' } },
			});
			expect((await generateToapis()).error?.message).toMatch(
				/no balance left \(402\): Insufficient balance/,
			);
		},
	},
	{
		name: '404 unknown task',
		outcome: 'says task not found, and what to check',
		run: async () => {
			const r = await readStatus('openaiCompatible', 'video_unknown');
			expect(r.error?.message).toMatch(/Task not found \(404\)/);
		},
	},
	{
		name: 'an expired video URL at download',
		outcome: 'says the link expired; names the task',
		run: async () => {
			const task = seed('toapis', 'video', { durationMs: 0, expiresAfterMs: 0 });
			await new Promise((resolve) => setTimeout(resolve, 10));
			const r = await readStatus('toapis', task.id, { downloadVideo: true });
			expect(r.error?.message).toMatch(/link has expired \(403\)/);
			expect(r.error?.description).toContain(task.id);
		},
	},
	{
		name: 'a CDN that redirects',
		outcome: 'follows it without the API key; the MP4 arrives',
		run: async () => {
			const task = seed('toapis', 'video', { durationMs: 0, cdnRedirect: true });
			const r = await readStatus('toapis', task.id, { downloadVideo: true });
			expect(readStored(r, r.output![0].binary!.data).equals(SAMPLE_MP4)).toBe(true);
		},
	},
	{
		name: 'an OpenAI-style /content that redirects to a CDN',
		outcome: 'follows it without the API key; the MP4 arrives',
		run: async () => {
			const task = seed('azure', 'video', { durationMs: 0, contentRedirect: true });
			const r = await readStatus('azure', task.id, { downloadVideo: true });
			expect(readStored(r, r.output![0].binary!.data).equals(SAMPLE_MP4)).toBe(true);
		},
	},
	{
		name: 'cancelling the execution mid-wait',
		outcome: 'stops at once; the error names the task id',
		run: async () => {
			// stopped once the node logged its task id, while it waits 30 s for the first read: an event, not a delay
			const r = await generateToapis(
				{ prompt: 'Long [sim:stuck]', pollInterval: 30, maxWaitTime: 600 },
				{ cancelWhen: loggedSubmission },
			);
			const id = [...sim.tasks.keys()].at(-1)!;
			expect(r.cancel?.conditionMet).toBe(true);
			expect(r.error?.message).toMatch(/cancelled/);
			expect(r.error?.message).toContain(id);
			expect(sim.readsOf(id)).toBe(0);
			expect(r.cancel!.nodeStoppedAfterMs).toBeLessThan(30_000);
		},
	},
	{
		name: 'Retry On Fail while a wait times out after submission',
		outcome: 'the re-run reuses the submitted task: one paid video',
		run: async () => {
			const before = submissionsNow();
			const options = { executionId: `exec-${Date.now()}` };
			// unfinished until the first wait has timed out, then the provider finishes it (no duration racing a 1 s wait)
			const first = await generateToapis({ prompt: 'Slow [sim:stuck]', maxWaitTime: 1 }, options);
			const id = [...sim.tasks.keys()].at(-1)!;
			expect(first.error?.message).toContain(id);
			finishNow(sim.tasks.get(id)!);
			const retry = await generateToapis({ prompt: 'Slow [sim:stuck]', maxWaitTime: 60 }, options);
			expect(retry.output![0].json.status).toBe('completed');
			expect(submissionsNow() - before).toBe(1);
		},
	},
	{
		name: 'Retry On Fail after a submit whose answer was lost',
		outcome: 'the task is found by its business id; the re-run reuses it: one paid video',
		run: async () => {
			inject({ match: POST_TOAPIS, kind: 'status', status: 502, afterHandling: true });
			const before = submissionsNow();
			const options = { executionId: `exec-${Date.now()}-b` };
			const first = await generateToapis({}, options);
			const id = [...sim.tasks.keys()].at(-1)!;
			expect(first.output![0].json.id).toBe(id);
			const retry = await generateToapis({}, options);
			expect(retry.output![0].json.id).toBe(id);
			expect(submissionsNow() - before).toBe(1);
		},
	},
];

describe(`${FAULTS.length} faults, each with its designed outcome`, () => {
	it.each(FAULTS.map((f) => [`${f.name} → ${f.outcome}`, f] as const))('%s', (name, f) =>
		attributed(name, async () => {
			figures.faults++;
			await f.run();
			figures.faultsWithDesignedOutcome++;
		}),
	);
});

afterAll(async () => {
	// A test that outlived its timeout still runs: give its runs the chance to end (a hang guard, not a verdict), so
	// what they showed is judged. Whatever still runs after that is reported apart, unjudged.
	await waitUntil(() => runs.every((r) => r.endedAt !== undefined), 'every node run to end', {
		guardMs: HANG_GUARD_MS,
	}).catch(() => undefined);
	const { accepted, lost, inUnfinishedRuns, duplicateSubmissions } = ledger();
	const unfinishedTests = tests.filter((t) => t.runs.some((r) => !finished(r))).map((t) => t.name);
	const rows = [
		[
			'bad inputs refused before any request (with Continue On Fail: the others go on)',
			`${figures.badInputsRefusedWithoutRequest} / ${figures.badInputs}`,
		],
		[
			'faults with their designed outcome',
			`${figures.faultsWithDesignedOutcome} / ${figures.faults}`,
		],
		['tasks the simulator accepted', String(accepted)],
		['lost task ids (accepted, id in no output or error)', String(lost.length)],
		['duplicate paid submissions', String(duplicateSubmissions)],
		['contract violations recorded by the simulator', String(sim.violations.length)],
		['API key occurrences in outputs, errors and logs', String(figures.keyOccurrences)],
		['requests carrying an API key that reached the CDN', String(sim.leaks.length)],
	];
	// Only when a test hung or outlived its timeout (that test fails by itself): what could not be judged, and why
	if (unfinishedTests.length) {
		rows.push(
			[
				'node runs that did not finish (their tests hung; not judged)',
				`${runs.filter((r) => !finished(r)).length}: ${unfinishedTests.join('; ')}`,
			],
			[
				'accepted tasks of those runs (not judged)',
				`${inUnfinishedRuns.length}${inUnfinishedRuns.length ? `: ${inUnfinishedRuns.map((t) => t.id).join(', ')}` : ''}`,
			],
		);
	}
	console.log('\nreliability figures\n' + rows.map(([k, v]) => `  ${k}: ${v}`).join('\n'));
	await sim.close();
	expect(lost, 'task ids lost by runs that finished (with the tests that ran them)').toEqual([]);
	expect(duplicateSubmissions).toBe(0);
	expect(sim.violations).toEqual([]);
	expect(figures.keyOccurrences).toBe(0);
	expect(sim.leaks).toEqual([]);
});
