/**
 * What real hosts accept and send, checked against an oracle this project did not write: OpenAI's official SDK
 * (`openai`, pinned in devDependencies) and the nodes send the same cases to one capture server, which must see the
 * same method, path, content type and multipart parts. Then the host behaviours the simulator models: base URLs used
 * verbatim, long prompts, a /content proxy that ignores `variant` (new-api), "not accepted" answers, X-RateLimit-Reset
 * as a Unix time, and numeric parameters refused before any request.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { SoraTaskStatus } from '../nodes/SoraTaskStatus/SoraTaskStatus.node';
import { API_ROOT_EXPRESSION, apiRootOf } from '../nodes/shared/provider/connection';
import { RatePacer, resetDelayMs } from '../nodes/shared/provider/pacing';
import {
	SAMPLE_MP4,
	startSimulator,
	type Flavor,
	type NotAcceptedReason,
	type SoraSimulator,
} from '../simulator/server.mts';
import { credentialsFor, itemWithBinary, makePng } from './harness/fixtures.mts';
import { runNode } from './harness/run-node.mts';

const KEY = 'sk-capture-0123456789';
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** One request as the capture server saw it, reduced to what must agree between the SDK and the nodes. */
interface Captured {
	method: string;
	path: string;
	query: string;
	contentType: string;
	parts?: Array<{
		name: string;
		value?: string;
		fileName?: string;
		type?: string;
		size?: number;
		sha256?: string;
	}>;
	json?: unknown;
}

/** A server that answers like OpenAI's Videos API under any base path and records every request. */
class CaptureServer {
	readonly requests: Captured[] = [];
	url = '';
	private server = http.createServer((req, res) => void this.handle(req, res));

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}

	take(): Captured[] {
		return this.requests.splice(0);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks);
		const url = new URL(req.url ?? '/', 'http://capture');
		const contentType = String(req.headers['content-type'] ?? '');
		const captured: Captured = {
			method: req.method ?? '',
			path: url.pathname,
			query: url.search,
			contentType: contentType.split(';')[0].trim(),
		};
		if (contentType.startsWith('multipart/form-data')) {
			const form = await new Request('http://capture/', {
				method: 'POST',
				headers: { 'content-type': contentType },
				body: new Uint8Array(raw),
			}).formData();
			captured.parts = [];
			for (const [name, value] of form as unknown as Iterable<[string, string | File]>) {
				if (typeof value === 'string') captured.parts.push({ name, value });
				else {
					const data = Buffer.from(await value.arrayBuffer());
					captured.parts.push({
						name,
						fileName: value.name,
						type: value.type,
						size: data.length,
						sha256: createHash('sha256').update(data).digest('hex'),
					});
				}
			}
		} else if (raw.length) captured.json = JSON.parse(raw.toString('utf8'));
		this.requests.push(captured);

		const video = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
			id,
			object: 'video',
			model: 'sora-2',
			status,
			progress: status === 'completed' ? 100 : 0,
			created_at: 1_760_000_000,
			completed_at: status === 'completed' ? 1_760_000_060 : null,
			expires_at: status === 'completed' ? 4_000_000_000 : null,
			error: null,
			seconds: '8',
			size: '1280x720',
			remixed_from_video_id: null,
			...extra,
		});
		const json = (body: unknown) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		let m: RegExpExecArray | null;
		if (req.method === 'POST' && /\/videos$/.test(url.pathname))
			return json(video('video_new', 'queued'));
		if (req.method === 'POST' && (m = /\/videos\/([^/]+)\/remix$/.exec(url.pathname)))
			return json(video('video_remix', 'queued', { remixed_from_video_id: m[1] }));
		if (req.method === 'GET' && /\/videos\/[^/]+\/content$/.exec(url.pathname)) {
			res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': SAMPLE_MP4.length });
			res.end(SAMPLE_MP4);
			return;
		}
		if (req.method === 'GET' && (m = /\/videos\/([^/]+)$/.exec(url.pathname)))
			return json(video(m[1], 'completed'));
		res.writeHead(404, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				error: {
					message: `No route ${req.method} ${url.pathname}`,
					type: 'invalid_request_error',
					param: null,
					code: 'not_found',
				},
			}),
		);
	}
}

let capture: CaptureServer;
beforeAll(async () => {
	capture = await new CaptureServer().start();
});
afterAll(async () => capture.close());
beforeEach(() => capture.take());

/** The SDK as a user of each flavor configures it: the base URL as the host documents it (Azure: the v1 API root). */
function sdkFor(baseUrl: string, flavor: 'openaiCompatible' | 'azure'): OpenAI {
	return new OpenAI({
		apiKey: KEY,
		baseURL: baseUrl,
		maxRetries: 0,
		defaultHeaders: flavor === 'azure' ? { 'api-key': KEY } : undefined,
	});
}

const png = makePng(1280, 720);

/** The same five calls, made by the SDK and by the nodes. */
const cases = {
	'create, text only': {
		sdk: (sdk: OpenAI) =>
			sdk.videos.create({
				model: 'sora-2',
				prompt: 'A cat surfing',
				seconds: '8',
				size: '1280x720',
			}),
		node: (credentials: Record<string, string>) =>
			runNode(SoraGenerate, {
				parameters: {
					model: rl('sora-2'),
					prompt: 'A cat surfing',
					duration: 8,
					aspectRatio: '16:9',
				},
				credentials,
			}),
	},
	'create with an image': {
		sdk: async (sdk: OpenAI) =>
			sdk.videos.create({
				model: 'sora-2',
				prompt: 'A cat surfing',
				seconds: '8',
				size: '1280x720',
				input_reference: await toFile(png, 'frame.png', { type: 'image/png' }),
			}),
		node: (credentials: Record<string, string>) =>
			runNode(SoraGenerate, {
				items: [itemWithBinary('photo', png, 'image/png', 'frame.png')],
				parameters: {
					model: rl('sora-2'),
					prompt: 'A cat surfing',
					duration: 8,
					aspectRatio: '16:9',
					imageBinaryPropertyName: 'photo',
				},
				credentials,
			}),
	},
	remix: {
		sdk: (sdk: OpenAI) => sdk.videos.remix('video_src', { prompt: 'Now at night' }),
		node: (credentials: Record<string, string>) =>
			runNode(SoraGenerate, {
				parameters: { operation: 'remix', videoId: 'video_src', prompt: 'Now at night' },
				credentials,
			}),
	},
	'retrieve, then content': {
		sdk: async (sdk: OpenAI) => {
			await sdk.videos.retrieve('video_done');
			await (await sdk.videos.downloadContent('video_done', { variant: 'video' })).arrayBuffer();
		},
		node: (credentials: Record<string, string>) =>
			runNode(SoraTaskStatus, {
				parameters: { taskId: 'video_done', downloadVideo: true },
				credentials,
			}),
	},
};

describe('the nodes send what the official openai SDK sends', () => {
	const flavors = [
		['openaiCompatible', '/v1'],
		['azure', '/openai/v1'],
	] as const;
	for (const [flavor, root] of flavors) {
		for (const [name, { sdk, node }] of Object.entries(cases)) {
			it(`${flavor}: ${name}`, async () => {
				await sdk(sdkFor(capture.url + root, flavor));
				const fromSdk = capture.take();
				const result = await node({ apiFlavor: flavor, baseUrl: capture.url + root, apiKey: KEY });
				expect(result.error).toBeUndefined();
				const fromNode = capture.take();
				expect(fromSdk.length).toBeGreaterThan(0);
				expect(fromNode).toEqual(fromSdk);
				if (name.startsWith('create')) expect(fromNode[0].contentType).toBe('multipart/form-data');
			});
		}
	}

	it('a bare host gets /v1 (OpenAI-compatible) or /openai/v1 (Azure), as the credential says', async () => {
		for (const [flavor, root] of flavors) {
			await cases['create, text only'].node({
				apiFlavor: flavor,
				baseUrl: capture.url,
				apiKey: KEY,
			});
			expect(capture.take().map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${root}/videos`]);
		}
	});
});

describe('base URLs are used as typed', () => {
	const verbatim = [
		'/openai/v1',
		'/api/openai/v1',
		'/v1/account-id/gateway-id/openai',
		'/api/paas/v4',
	];

	it.each(verbatim)('OpenAI-compatible "<host>%s" + /videos, as the SDK sends it', async (path) => {
		await cases['create, text only'].sdk(sdkFor(capture.url + path, 'openaiCompatible'));
		const fromSdk = capture.take();
		const result = await cases['create, text only'].node({
			apiFlavor: 'openaiCompatible',
			baseUrl: `${capture.url}${path}/`,
			apiKey: KEY,
		});
		expect(result.error).toBeUndefined();
		const fromNode = capture.take();
		expect(fromNode.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${path}/videos`]);
		expect(fromNode).toEqual(fromSdk);
	});

	it('the credential test calls the same root (its expression agrees with apiRootOf)', () => {
		const body = API_ROOT_EXPRESSION.replace(/^=\{\{/, '').replace(/\}\}$/, '');
		const root = (apiFlavor: string, baseUrl: string) =>
			new Function('$credentials', `return (${body});`)({ apiFlavor, baseUrl }) as string;
		for (const path of verbatim) {
			expect(root('openaiCompatible', `https://gw.example${path}`)).toBe(
				`https://gw.example${path}`,
			);
			expect(apiRootOf('openaiCompatible', `https://gw.example${path}`)).toBe(
				`https://gw.example${path}`,
			);
		}
	});
});

describe('hosts the simulator models', () => {
	let sim: SoraSimulator;
	beforeAll(async () => {
		sim = await startSimulator({ defaultScenario: { durationMs: 0 } });
	});
	afterAll(async () => sim.close());
	beforeEach(() => {
		sim.reset();
		sim.openAiHost = 'openai';
		sim.setRateLimit(undefined);
	});
	const submits = () => sim.requestsTo('api').filter((r) => r.method === 'POST');

	it.each(['openaiCompatible', 'azure'] as const)(
		'%s: a 2,729-character prompt is sent whole',
		async (flavor) => {
			const prompt =
				'A slow dolly shot along a rain-soaked neon street at night, reflections rippling in puddles. '
					.repeat(30)
					.slice(0, 2729);
			expect(prompt).toHaveLength(2729);
			const result = await runNode(SoraGenerate, {
				parameters: { model: rl('sora-2'), prompt, duration: 4 },
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error).toBeUndefined();
			expect((submits()[0].body as { prompt: string }).prompt).toBe(prompt);
			expect(sim.violations).toEqual([]);
		},
	);

	it('new-api: a text-only create is multipart, which its Sora channel requires', async () => {
		sim.openAiHost = 'new-api';
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'A cat', duration: 4 },
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		expect(result.error).toBeUndefined();
		expect(submits()[0].headers['content-type']).toMatch(/^multipart\/form-data/);
		expect(sim.violations).toEqual([]);
	});

	it('new-api: /content ignores variant and sends the video again; the item says thumbnailError and stores no mislabelled file', async () => {
		sim.openAiHost = 'new-api';
		const task = sim.createTask('openaiCompatible', 'video', { durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true, options: { downloadThumbnail: true } },
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		expect(result.error).toBeUndefined();
		const item = result.output![0];
		expect(Object.keys(item.binary!)).toEqual(['data']);
		expect(item.binary!.data.mimeType).toBe('video/mp4');
		expect(item.json.thumbnailError).toMatch(
			/answered the thumbnail request with a video \(video\/mp4/,
		);
		expect(result.stored.size).toBe(1);
		const contentCalls = sim
			.requestsTo('api')
			.filter((r) => r.path.endsWith('/content'))
			.map((r) => r.query);
		expect(contentCalls).toEqual(['?variant=video', '?variant=thumbnail']);
	});

	it('a host that serves thumbnails still gives one, named by what it is', async () => {
		const task = sim.createTask('openaiCompatible', 'video', { durationMs: 0 });
		const result = await runNode(SoraTaskStatus, {
			parameters: { taskId: task.id, downloadVideo: true, options: { downloadThumbnail: true } },
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		const thumbnail = result.output![0].binary!.thumbnail;
		expect(thumbnail).toMatchObject({
			mimeType: 'image/jpeg',
			fileName: `${task.id}-thumbnail.jpg`,
		});
		expect(result.output![0].json.thumbnailError).toBeUndefined();
	});

	const notAccepted: Array<[NotAcceptedReason, Flavor, string]> = [
		['token_concurrency_limit_reached', 'openaiCompatible', '/v1/videos'],
		['token_concurrency_unavailable', 'openaiCompatible', '/v1/videos'],
		['rate_limit_unavailable', 'toapis', '/v1/videos/generations'],
	];
	it.each(notAccepted)(
		'"%s" on a submit is retried like a 429, with no duplicate paid task',
		async (reason, flavor, path) => {
			sim.inject({
				match: { method: 'POST', path },
				kind: 'notAccepted',
				reason,
				times: 2,
				headers: { 'retry-after': '0' },
			});
			const result = await runNode(SoraGenerate, {
				parameters: {
					model: rl(flavor === 'toapis' ? 'sora-2-vvip' : 'sora-2'),
					prompt: 'A cat',
					duration: 4,
				},
				credentials: credentialsFor(sim, flavor),
			});
			expect(result.error).toBeUndefined();
			expect(submits().map((r) => r.status)).toEqual([
				reason === 'token_concurrency_limit_reached' ? 429 : 503,
				reason === 'token_concurrency_limit_reached' ? 429 : 503,
				200,
			]);
			expect(sim.notAccepted[reason]).toBe(2);
			expect(sim.submissions).toHaveLength(1);
			expect(result.output![0].json.id).toBe([...sim.tasks.keys()][0]);
		},
	);

	it('another 503 on a submit is not retried and says the task may exist', async () => {
		sim.inject({
			match: { method: 'POST', path: '/v1/videos' },
			kind: 'status',
			status: 503,
			body: {
				error: {
					message: 'upstream error',
					type: 'new_api_error',
					code: 'bad_response_status_code',
				},
			},
		});
		const result = await runNode(SoraGenerate, {
			parameters: { model: rl('sora-2'), prompt: 'A cat', duration: 4 },
			credentials: credentialsFor(sim, 'openaiCompatible'),
		});
		expect(result.error?.message).toMatch(/server error \(503\)/);
		expect(result.error?.context?.submissionMayHaveBeenAccepted).toBe(true);
		expect(submits()).toHaveLength(1);
	});

	it('paces submits by a Unix-time X-RateLimit-Reset: about one refusal per refill at most', async () => {
		sim.setRateLimit({
			submitPerSecond: 5,
			submitBurst: 20,
			queryPerSecond: 50,
			queryBurst: 500,
			resetForm: 'unix',
		});
		const items = Array.from({ length: 50 }, (_, i) => ({ json: { i } }));
		const t0 = Date.now();
		const result = await runNode(SoraGenerate, {
			items,
			parameters: {
				model: rl('sora-2-vvip'),
				prompt: '={{ "Paced " + $json.i }}',
				duration: 4,
				options: { concurrency: 10 },
			},
			credentials: credentialsFor(sim, 'toapis'),
		});
		const seconds = (Date.now() - t0) / 1000;
		expect(result.error).toBeUndefined();
		expect(sim.submissions).toHaveLength(50);
		const refused = submits().filter((r) => r.status === 429).length;
		expect(refused).toBeLessThanOrEqual(3);
		expect(seconds).toBeLessThan((50 - 20) / 5 + 4);
	}, 30_000);
});

describe('X-RateLimit-Reset in either form', () => {
	it('reads seconds from now, a Unix time in seconds and one in milliseconds alike', () => {
		const now = 1_760_000_000_000;
		expect(resetDelayMs(10, now)).toBe(10_000);
		expect(resetDelayMs(now / 1000 + 10, now)).toBe(10_000);
		expect(resetDelayMs(now + 10_000, now)).toBe(10_000);
		expect(resetDelayMs(now / 1000 - 5, now)).toBe(0);
	});

	it('learns the same refill rate from both forms, and none without the header', () => {
		const now = 1_760_000_000_000;
		const seconds = new RatePacer();
		seconds.observe(
			{ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '10' },
			undefined,
			now,
		);
		const unix = new RatePacer();
		unix.observe(
			{
				'x-ratelimit-limit': '50',
				'x-ratelimit-remaining': '0',
				'x-ratelimit-reset': String(now / 1000 + 10),
			},
			undefined,
			now,
		);
		expect(seconds.ratePerSecond).toBeCloseTo(5);
		expect(unix.ratePerSecond).toBeCloseTo(5);
		const none = new RatePacer();
		none.observe({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0' }, undefined, now);
		expect(none.ratePerSecond).toBeUndefined();
	});
});

describe('numeric parameters are refused before any request', () => {
	let sim: SoraSimulator;
	beforeAll(async () => {
		sim = await startSimulator({ defaultScenario: { durationMs: 0 } });
	});
	afterAll(async () => sim.close());
	beforeEach(() => sim.reset());

	const base = {
		model: rl('sora-2-vvip'),
		prompt: 'A cat',
		duration: 4,
		waitForCompletion: true,
		pollInterval: 1,
		maxWaitTime: 20,
	};
	const bad: Array<[string, Record<string, unknown>, RegExp]> = [
		[
			'Poll Interval "ten"',
			{ pollInterval: '={{ "ten" }}' },
			/^Poll Interval \(Seconds\) is "ten", but it must be a number from 1 to 600$/,
		],
		[
			'Poll Interval from a missing field',
			{ pollInterval: '={{ $json.missing }}' },
			/^Poll Interval \(Seconds\) is empty, but it must be a number from 1 to 600$/,
		],
		[
			'Poll Interval 0',
			{ pollInterval: 0 },
			/^Poll Interval \(Seconds\) is 0, but it must be a number from 1 to 600$/,
		],
		['Poll Interval NaN', { pollInterval: '={{ NaN }}' }, /^Poll Interval \(Seconds\) is NaN, but/],
		[
			'Max Wait "ten"',
			{ maxWaitTime: '={{ "ten" }}' },
			/^Max Wait \(Seconds\) is "ten", but it must be a number from 1 to 86400$/,
		],
		[
			'Max Wait -5',
			{ maxWaitTime: -5 },
			/^Max Wait \(Seconds\) is -5, but it must be a number from 1 to 86400$/,
		],
		['Max Wait true', { maxWaitTime: '={{ true }}' }, /^Max Wait \(Seconds\) is true, but/],
		[
			'Concurrency 2.5',
			{ options: { concurrency: 2.5 } },
			/^Concurrency is 2.5, but it must be a whole number from 1 to 50$/,
		],
		[
			'Concurrency from a missing field',
			{ options: { concurrency: '={{ $json.missing }}' } },
			/^Concurrency is empty, but it must be a whole number from 1 to 50$/,
		],
		[
			'Concurrency 500',
			{ options: { concurrency: 500 } },
			/^Concurrency is 500, but it must be a whole number from 1 to 50$/,
		],
		[
			'Request Timeout "fast"',
			{ options: { requestTimeout: '={{ "fast" }}' } },
			/^Request Timeout \(Seconds\) is "fast", but it must be a number from 1 to 600$/,
		],
		[
			'Request Timeout 0',
			{ options: { requestTimeout: 0 } },
			/^Request Timeout \(Seconds\) is 0, but it must be a number from 1 to 600$/,
		],
	];

	it.each(bad)(
		'%s: refused, naming the field, the value and the range; 0 requests',
		async (_name, parameters, message) => {
			const result = await runNode(SoraGenerate, {
				parameters: { ...base, ...parameters },
				credentials: credentialsFor(sim, 'toapis'),
			});
			expect(result.error?.message).toMatch(message);
			expect((result.error as { description?: string }).description).toMatch(/\(field "/);
			expect(sim.requestsTo('api')).toHaveLength(0);
		},
	);

	it('numeric text from an expression is a number', async () => {
		const result = await runNode(SoraGenerate, {
			parameters: { ...base, pollInterval: '={{ "1" }}', options: { concurrency: '={{ "2" }}' } },
			credentials: credentialsFor(sim, 'toapis'),
		});
		expect(result.error).toBeUndefined();
		expect(result.output![0].json.status).toBe('completed');
	});
});
