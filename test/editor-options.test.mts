import { describe, expect, it } from 'vitest';
import { NodeHelpers, type ILoadOptionsFunctions, type INodeTypeDescription } from 'n8n-workflow';
import { SoraGenerate } from '../nodes/SoraGenerate/SoraGenerate.node';
import { getDurations, getSizes, searchModels } from '../nodes/shared/parameters/methods';
import { FAMILY_MODEL_NAMES, list, modelsFor } from '../nodes/shared/rules/models';
import { FIELD_NAMES, validateVideoRequest } from '../nodes/shared/rules/validation';

function loadOptionsContext(flavor: string, model: string): ILoadOptionsFunctions {
	return {
		getCredentials: async () => ({ apiFlavor: flavor, apiKey: 'k', baseUrl: '' }),
		getCurrentNodeParameter: () => model,
	} as unknown as ILoadOptionsFunctions;
}

const durationsOf = async (flavor: string, model: string) =>
	(await getDurations.call(loadOptionsContext(flavor, model))).map((o) => o.value);

describe('the editor follows the model table', () => {
	it.each([
		['toapis', 'sora-2', [0, 10, 15]],
		['toapis', 'sora-2-pro', [0, 15, 25]],
		['toapis', 'sora-2-vvip', [0, 4, 8, 12]],
		['toapis', 'sora-2-official', [0, 4, 8, 12]],
		['toapis', 'sora-9-future', [0, 4, 8, 10, 12, 15, 25]],
		['openaiCompatible', 'sora-2', [0, 4, 8, 12]],
		['azure', 'my-deployment', [0, 4, 8, 12]],
	])('%s %s → durations %j', async (flavor, model, expected) => {
		expect(await durationsOf(flavor, model)).toEqual(expected);
	});

	it('claims no durations the seeds do not document (sora-2-vip, unknown models)', async () => {
		const vip = await getDurations.call(loadOptionsContext('toapis', 'sora-2-vip'));
		for (const option of vip.slice(1))
			expect(option.description).toBe('Not documented for sora-2-vip: the provider decides');
		const unknown = await getDurations.call(loadOptionsContext('toapis', 'sora-9-future'));
		for (const option of unknown.slice(1))
			expect(option.description).toMatch(/^Unknown model, not checked/);
		const sora2 = await getDurations.call(loadOptionsContext('toapis', 'sora-2'));
		for (const option of sora2.slice(1)) expect(option.description).toBe('Allowed for sora-2');
	});

	it.each([
		['toapis', 'sora-2', ['']],
		['openaiCompatible', 'sora-2', ['', '1280x720', '720x1280']],
		['openaiCompatible', 'sora-2-pro', ['', '1280x720', '1792x1024', '720x1280', '1024x1792']],
		['azure', 'my-deployment', ['', '1280x720', '720x1280']],
	])(
		'%s %s → sizes %j, each of them accepted by the validation',
		async (flavor, model, expected) => {
			const options = await getSizes.call(loadOptionsContext(flavor, model));
			expect(options.map((o) => o.value)).toEqual(expected);
			if (flavor === 'toapis') expect(options[0].name).toMatch(/Not Used on Toapis/);
			for (const size of expected) {
				const result = validateVideoRequest(
					{ name: 'Sora Generate' } as never,
					0,
					flavor as never,
					{
						operation: 'generate',
						videoId: '',
						model,
						prompt: 'p',
						duration: 0,
						aspectRatio: '',
						imageUrls: '',
						additionalFields: size ? { size } : {},
					},
				);
				expect(result.size ?? '').toBe(size);
			}
		},
	);

	it('uses one name for Number of Variants: the editor label is the one errors quote', () => {
		const fields = new SoraGenerate().description.properties.find(
			(p) => p.name === 'additionalFields',
		)!.options as Array<{ name: string; displayName: string }>;
		const label = fields.find((f) => f.name === 'n')!.displayName;
		expect(label).toBe('Number of Variants');
		expect(() =>
			validateVideoRequest({ name: 'Sora Generate' } as never, 0, 'toapis', {
				operation: 'generate',
				videoId: '',
				model: 'sora-2',
				prompt: 'p',
				duration: 10,
				aspectRatio: '',
				imageUrls: '',
				additionalFields: { n: 9 },
			}),
		).toThrow(/^Number of Variants is 9/);
	});

	it('errors name every Sora Generate field by its editor label', () => {
		const properties = new SoraGenerate().description.properties;
		const additional = properties.find((p) => p.name === 'additionalFields')!.options as Array<{
			name: string;
			displayName: string;
		}>;
		const labels = new Map(
			[...properties, ...additional].map((p) => [
				p.name,
				p.displayName.replace(/ Name or ID$/, ''),
			]),
		);
		for (const [field, name] of Object.entries(FIELD_NAMES))
			expect([field, name]).toEqual([field, labels.get(field)]);
	});

	it("without a provider to ask, lists the table's models of the credential's flavor after a note (never an empty list)", async () => {
		const names = async (flavor: string) =>
			(await searchModels.call(loadOptionsContext(flavor, ''))).results.map((r) => r.value);
		expect(await names('toapis')).toEqual([
			'',
			'sora-2',
			'sora-2-pro',
			'sora-2-vip',
			'sora-2-vvip',
			'sora-2-official',
			...FAMILY_MODEL_NAMES,
		]);
		expect(await names('openaiCompatible')).toEqual(['', 'sora-2', 'sora-2-pro']);
		expect(await names('azure')).toEqual([]);
	});

	it('names every seed field as a camelCase parameter', () => {
		const properties = new SoraGenerate().description.properties;
		const top = properties.map((p) => p.name);
		const additional = (
			properties.find((p) => p.name === 'additionalFields')!.options as Array<{ name: string }>
		).map((o) => o.name);
		for (const name of ['model', 'prompt', 'duration', 'aspectRatio', 'imageUrls'])
			expect(top).toContain(name);
		for (const name of [
			'thumbnail',
			'n',
			'watermark',
			'hd',
			'private',
			'style',
			'storyboard',
			'characterUrl',
			'characterTimestamps',
			'characterCreate',
			'characterFromTask',
		]) {
			expect(additional).toContain(name);
		}
		expect(new SoraGenerate().description.usableAsTool).toBe(true);
	});

	it("as an AI-agent tool, Sora Generate describes itself with every model's durations from the model table; the node itself does not show it", () => {
		const description = new SoraGenerate().description;
		const defaults = (desc: INodeTypeDescription) =>
			NodeHelpers.getNodeParameters(desc.properties, {}, true, false, null, desc)!;
		// n8n names the tool variant of a usableAsTool node "<name>Tool"; '@tool' display options follow that name.
		const asTool = defaults({ ...description, name: `${description.name}Tool` });
		const text = String(asTool.toolDescription);
		for (const flavor of ['toapis', 'openaiCompatible'] as const) {
			for (const model of modelsFor(flavor))
				if (model.durations) expect(text).toContain(`${model.name} ${list(model.durations, ' s')}`);
		}
		expect(text).toMatch(/prompt: .*duration: /);
		expect(defaults(description).toolDescription).toBeUndefined();
	});
});
