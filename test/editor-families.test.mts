import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	NodeHelpers,
	type ILoadOptionsFunctions,
	type IHttpRequestOptions,
	type INodeParameters,
	type INodeProperties,
} from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import {
	getAspectRatios,
	getDurations,
	getResolutions,
	searchModels,
} from '../nodes/shared/parameters/methods';
import { SoraApi } from '../credentials/SoraApi.credentials';
import { startSimulator, type Flavor, type SoraSimulator } from '../simulator/server.mts';
import { credentialsFor } from './harness/fixtures.mts';

/** The editor for toapis' video families: the live model list, the choices that follow the model, what shows. */

let sim: SoraSimulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => sim.close());
beforeEach(() => sim.reset());

/** An ILoadOptionsFunctions whose httpRequestWithAuthentication goes, through the credential's authenticate(), to the simulator. */
function editorContext(flavor: Flavor, model = '', apiKey = sim.apiKey): ILoadOptionsFunctions {
	const credentials = credentialsFor(sim, flavor, apiKey);
	return {
		getCredentials: async () => credentials,
		getCurrentNodeParameter: () => model,
		helpers: {
			async httpRequestWithAuthentication(
				this: unknown,
				_name: string,
				options: IHttpRequestOptions,
			) {
				const authed = await new SoraApi().authenticate(credentials, options);
				const url = new URL(authed.url);
				for (const [k, v] of Object.entries(authed.qs ?? {})) url.searchParams.set(k, String(v));
				const response = await fetch(url, {
					headers: authed.headers as Record<string, string>,
					signal: AbortSignal.timeout(options.timeout ?? 5000),
				});
				if (!response.ok)
					throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
						httpCode: String(response.status),
					});
				return await response.json();
			},
		},
	} as unknown as ILoadOptionsFunctions;
}

describe('the live model list', () => {
	it('toapis: GET /v1/models?type=video; known models show their rules, others stay selectable with the generic checks', async () => {
		const { results } = await searchModels.call(editorContext('toapis'));
		const request = sim.requestsTo('api').find((r) => r.path === '/v1/models');
		expect(request?.query).toBe('?type=video');
		expect(request?.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
		expect(results.map((r) => r.value)).toEqual(
			sim.videoModels.slice().sort((a, b) => order(a) - order(b) || a.localeCompare(b)),
		);
		expect(results.find((r) => r.value === 'seedance-2-5')!.name).toBe(
			'seedance-2-5 (Seedance 2.5: 4–30 s or auto, up to 720p, audio, edit and extend, last frame)',
		);
		expect(results.find((r) => r.value === 'happyhorse-1.1')!.name).toBe(
			"happyhorse-1.1 (not in the node's table: generic checks)",
		);
		expect(results.some((r) => r.value === 'kling-v2-6')).toBe(true);
	});

	it('shows only what the key can use: a model the account lacks is not offered', async () => {
		sim.videoModels = ['seedance-2-5', 'kling-v3'];
		try {
			const { results } = await searchModels.call(editorContext('toapis'));
			expect(results.map((r) => r.value)).toEqual(['seedance-2-5', 'kling-v3']);
			const filtered = await searchModels.call(editorContext('toapis'), 'kling');
			expect(filtered.results.map((r) => r.value)).toEqual(['kling-v3']);
		} finally {
			sim.videoModels = (await import('../simulator/families.mts')).VIDEO_MODEL_IDS.slice();
		}
	});

	it('OpenAI-compatible: GET /v1/models, video models only', async () => {
		const { results } = await searchModels.call(editorContext('openaiCompatible'));
		expect(sim.requestsTo('api').find((r) => r.path === '/v1/models')?.query).toBe('');
		expect(results).toEqual([
			{ name: 'sora-2 (4, 8 or 12 s; 1280×720 or 720×1280)', value: 'sora-2' },
		]);
	});

	it.each([
		['a rejected key', () => ({ key: 'sk-wrong' }), /HTTP 401/],
		[
			'a 500',
			() => (
				sim.inject({
					match: { path: '/v1/models' },
					kind: 'status',
					status: 500,
					body: { error: 'down' },
				}),
				{}
			),
			/HTTP 500/,
		],
		[
			'an answer without a list',
			() => (
				sim.inject({
					match: { path: '/v1/models' },
					kind: 'status',
					status: 200,
					body: { success: false, message: 'Failed to get models' },
				}),
				{}
			),
			/Failed to get models/,
		],
	])(
		"when the list cannot be loaded (%s), the table's models follow a note",
		async (_name, setup, reason) => {
			const { key } = setup() as { key?: string };
			const { results } = await searchModels.call(editorContext('toapis', '', key));
			expect(results[0].value).toBe('');
			expect(results[0].name).toMatch(/^Could not load your account's models \(/);
			expect(results[0].name).toMatch(reason);
			expect(results.length).toBeGreaterThan(20);
			expect(results.map((r) => r.value)).toContain('seedance-2-5');
		},
	);
});

const order = (id: string) => {
	const table = [
		'sora-2',
		'sora-2-pro',
		'sora-2-vip',
		'sora-2-vvip',
		'sora-2-official',
		'seedance-2-5',
		'seedance-2',
		'seedance-2-fast',
		'seedance-2-mini',
		'kling-v3',
		'kling-v2-6',
		'veo3.1-fast',
		'veo3.1-quality',
		'veo3.1-lite',
		'Veo3.1-quality-official',
		'Veo3.1-fast-official',
		'Veo3.1-lite-official',
		'grok-video-1.0',
		'grok-video-1.5',
		'grok-imagine-1.0-video',
		'wan2.6',
		'wan2.6-flash',
		'MiniMax-Hailuo-2.3',
		'MiniMax-Hailuo-2.3-Fast',
		'MiniMax-Hailuo-02',
		'MiniMax-H3',
		'viduq3-pro',
		'viduq3-turbo',
		'viduq3',
	];
	const at = table.indexOf(id);
	return at === -1 ? table.length : at;
};

describe('choices follow the model', () => {
	const values = async (method: typeof getDurations, model: string) =>
		(await method.call(editorContext('toapis', model))).map((o) => o.value);
	it.each([
		['seedance-2-5', [0, -1, ...Array.from({ length: 27 }, (_, i) => i + 4)]],
		['seedance-2-mini', [0, ...Array.from({ length: 12 }, (_, i) => i + 4)]],
		['kling-v2-6', [0, 5, 10]],
		['Veo3.1-fast-official', [0, 4, 6, 8]],
		['sora-2', [0, 10, 15]],
	])('durations of %s', async (model, expected) =>
		expect(await values(getDurations, model)).toEqual(expected),
	);

	it.each([
		['seedance-2-5', ['', '21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive']],
		['MiniMax-Hailuo-2.3', ['']],
		['sora-2', ['', '16:9', '9:16']],
	])('aspect ratios of %s', async (model, expected) =>
		expect(await values(getAspectRatios, model)).toEqual(expected),
	);

	it('resolutions: Kling modes by their pixels', async () => {
		const options = await getResolutions.call(editorContext('toapis', 'kling-v3'));
		expect(options.map((o) => [o.name, o.value])).toEqual([
			['Provider Default', ''],
			['Std (720p)', 'std'],
			['Pro (1080p)', 'pro'],
		]);
		expect(await values(getResolutions, 'sora-2')).toEqual(['']);
	});
});

describe('what the editor shows, by the Model (displayOptions on the resource locator value)', () => {
	const description = new SoraGenerate().description;
	const model = (value: string) => ({ __rl: true, mode: 'list', value });
	const shown = (value: string) => {
		const parameters = NodeHelpers.getNodeParameters(
			description.properties,
			{ operation: 'generate', model: model(value) } as INodeParameters,
			true,
			false,
			null,
			description,
		)!;
		return Object.keys(parameters);
	};
	const additional = description.properties.find((p) => p.name === 'additionalFields')!
		.options as INodeProperties[];
	const optionShown = (name: string, value: string) =>
		NodeHelpers.displayParameter({}, additional.find((o) => o.name === name)!, null, description, {
			operation: 'generate',
			model: model(value),
		} as INodeParameters);

	it('family fields only for their models; Sora keeps exactly its fields', () => {
		expect(shown('seedance-2-5')).toEqual(
			expect.arrayContaining([
				'resolution',
				'videoOperation',
				'mediaInputs',
				'aspectRatio',
				'imageUrls',
			]),
		);
		expect(shown('kling-v3')).toEqual(expect.arrayContaining(['resolution', 'mediaInputs']));
		expect(shown('kling-v3')).not.toEqual(expect.arrayContaining(['videoOperation']));
		expect(shown('kling-v3')).not.toContain('imageUrls');
		expect(shown('MiniMax-Hailuo-2.3')).not.toContain('aspectRatio');
		for (const field of ['resolution', 'videoOperation', 'mediaInputs'])
			expect(shown('sora-2')).not.toContain(field);
		for (const field of ['resolution', 'videoOperation', 'mediaInputs'])
			expect(shown('my-new-model')).not.toContain(field);
		expect(shown('sora-2')).toEqual(
			expect.arrayContaining(['aspectRatio', 'imageUrls', 'imageBinaryPropertyName', 'duration']),
		);
	});

	it("Additional Fields: each family field for the models that take it, Sora's for Sora and unknown models", () => {
		expect(optionShown('returnLastFrame', 'seedance-2-5')).toBe(true);
		expect(optionShown('returnLastFrame', 'kling-v3')).toBe(false);
		expect(optionShown('negativePrompt', 'kling-v3')).toBe(true);
		expect(optionShown('generateAudio', 'sora-2')).toBe(false);
		expect(optionShown('style', 'sora-2')).toBe(true);
		expect(optionShown('style', 'my-new-model')).toBe(true);
		expect(optionShown('style', 'seedance-2')).toBe(false);
		expect(optionShown('watermark', 'wan2.6')).toBe(true);
		expect(optionShown('watermark', 'seedance-2-5')).toBe(false);
		expect(optionShown('extraBody', 'kling-v3')).toBe(true);
		expect(additional.find((o) => o.name === 'generateAudio')!.description).toMatch(
			/^Whether to generate sound with the video\. For Seedance 2\.5 \(seedance-2-5\), Seedance 2 \(seedance-2, seedance-2-fast, seedance-2-mini\), Kling v3/,
		);
	});
});
