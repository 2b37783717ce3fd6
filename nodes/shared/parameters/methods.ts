import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { CREDENTIAL_NAME, isApiFlavor, type ApiFlavor } from '../domain/api';
import { apiRootOf } from '../provider/connection';
import {
	CHARACTER_MODELS,
	describeDurations,
	FAMILY_MODELS,
	familyModel,
	knownDurations,
	modelsFor,
	OPEN_SIZES,
	ruleFor,
	sizesOf,
	takesSize,
	type FamilyModelRule,
} from '../rules/models';

/** The model list may not hold the editor up: a provider that does not answer in this time gets the table's list. */
const MODEL_LIST_TIMEOUT_MS = 8000;

async function flavorOf(ctx: ILoadOptionsFunctions): Promise<ApiFlavor> {
	try {
		const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
		return isApiFlavor(credentials.apiFlavor) ? credentials.apiFlavor : 'toapis';
	} catch {
		return 'toapis';
	}
}

/** A toapis model of a family the table knows, for the duration, ratio and resolution choices. */
async function familyOf(ctx: ILoadOptionsFunctions): Promise<FamilyModelRule | undefined> {
	if ((await flavorOf(ctx)) !== 'toapis') return undefined;
	return familyModel(String(ctx.getCurrentNodeParameter('model', { extractValue: true }) ?? ''));
}

/** Every model the table knows for a flavor, with its rules in words. */
function tableModels(flavor: ApiFlavor): Array<{ name: string; rules: string }> {
	const sora = modelsFor(flavor).map((m) => ({ name: m.name, rules: m.description }));
	if (flavor !== 'toapis') return sora;
	return [
		...sora,
		...FAMILY_MODELS.map((m) => ({ name: m.name, rules: `${m.family}: ${m.description}` })),
	];
}

/** What an OpenAI-compatible host lists under /v1/models that may make videos (the list mixes in chat models). */
const VIDEO_MODEL_NAME = /sora|video|veo|kling|seedance|wan2|hailuo|vidu|grok-imagine/i;

/**
 * The ids the credential's key can use today: toapis GET /v1/models?type=video, OpenAI-compatible GET /v1/models.
 * Throws when the provider cannot be asked or does not answer with a list.
 */
async function liveModels(ctx: ILoadOptionsFunctions, flavor: ApiFlavor): Promise<string[]> {
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	const apiRoot = apiRootOf(flavor, String(credentials.baseUrl ?? ''));
	const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_NAME, {
		method: 'GET',
		url: `${apiRoot}/models`,
		qs: flavor === 'toapis' ? { type: 'video' } : undefined,
		json: true,
		timeout: MODEL_LIST_TIMEOUT_MS,
	})) as IDataObject;
	const data = answer?.data;
	if (!Array.isArray(data) || answer.success === false)
		throw new Error(
			typeof answer?.message === 'string' ? answer.message : 'no model list in the answer',
		);
	const ids = data
		.map((entry) => (entry && typeof entry === 'object' ? (entry as IDataObject).id : undefined))
		.filter((id): id is string => typeof id === 'string' && id.trim() !== '');
	return flavor === 'toapis' ? ids : ids.filter((id) => VIDEO_MODEL_NAME.test(id));
}

function reasonOf(error: unknown): string {
	const e = error as { httpCode?: string; message?: string; description?: string };
	const status = e?.httpCode ? `HTTP ${e.httpCode}` : '';
	return status || String(e?.message ?? error).slice(0, 80);
}

/**
 * The editor's model list: what the credential's key can use today, from the provider. Models the table knows show
 * their rules; others stay selectable and pass with the generic checks. When the list cannot be loaded, the table's
 * models are shown after a note saying so (never an empty list). Azure has no model list: deployments are typed.
 */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const flavor = await flavorOf(this);
	if (flavor === 'azure') return { results: [] };
	const table = tableModels(flavor);
	const known = new Map(table.map((m) => [m.name, m.rules]));
	let results: INodeListSearchItems[];
	try {
		const ids = await liveModels(this, flavor);
		// The table's order first (families together), then what the provider adds.
		const order = (id: string) => {
			const at = table.findIndex((m) => m.name === id);
			return at === -1 ? table.length : at;
		};
		results = [...new Set(ids)]
			.sort((a, b) => order(a) - order(b) || a.localeCompare(b))
			.map((id) => ({
				name: known.has(id)
					? `${id} (${known.get(id)})`
					: `${id} (not in the node's table: generic checks)`,
				value: id,
			}));
		if (!results.length) throw new Error('the provider listed no video models for this key');
	} catch (error) {
		results = [
			{
				name: `Could not load your account's models (${reasonOf(error)}): the node's own list follows`,
				value: '',
				description: 'Pick a model below, or type its name with By Name',
			},
			...table.map((m) => ({ name: `${m.name} (${m.rules})`, value: m.name })),
		];
	}
	const wanted = filter?.trim().toLowerCase();
	return {
		results: wanted
			? results.filter((r) => r.value === '' || r.name.toLowerCase().includes(wanted))
			: results,
	};
}

/** What the editor can truthfully say about a duration the model table has no list for. */
function undocumented(model: string, known: boolean): string {
	return known
		? `Not documented for ${model}: the provider decides`
		: 'Unknown model, not checked: the provider decides';
}

/** The duration choices follow the selected model, from the same table that validates them. */
export async function getDurations(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const family = await familyOf(this);
	if (family) {
		return [
			{ name: 'Provider Default', value: 0, description: 'Send no duration: the provider picks' },
			...(family.autoDuration
				? [
						{
							name: 'Auto (-1)',
							value: -1,
							description: `Sends -1: ${family.name} picks the length`,
						},
					]
				: []),
			...family.durations.map((seconds) => ({
				name: `${seconds} Seconds`,
				value: seconds,
				description: `${family.name} allows ${describeDurations(family)}`,
			})),
		];
	}
	const flavor = await flavorOf(this);
	const model = String(this.getCurrentNodeParameter('model', { extractValue: true }) ?? '');
	const { rule, known } = ruleFor(flavor, model);
	const durations = rule.durations ?? knownDurations(flavor);
	return [
		{ name: 'Provider Default', value: 0, description: 'Send no duration: the provider picks' },
		...durations.map((seconds) => ({
			name: `${seconds} Seconds`,
			value: seconds,
			description: rule.durations
				? `Allowed for ${model || 'this flavor'}`
				: undocumented(model, known),
		})),
	];
}

/**
 * The Size choices: the model's sizes on the flavors that take a size (OpenAI-compatible, Azure). n8n cannot hide a
 * field by the credential, so on toapis the list says so instead of offering sizes the node would refuse.
 */
export async function getSizes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const flavor = await flavorOf(this);
	const model = String(this.getCurrentNodeParameter('model', { extractValue: true }) ?? '');
	if (!takesSize(flavor)) {
		return [
			{
				name: 'Not Used on Toapis: Choose the Aspect Ratio',
				value: '',
				description: 'The toapis API takes no size: this sends nothing',
			},
		];
	}
	const { rule } = ruleFor(flavor, model);
	const sizes = sizesOf(rule) ?? OPEN_SIZES;
	return [
		{
			name: 'From Aspect Ratio',
			value: '',
			description: 'Send the size the Aspect Ratio maps to, or none for Provider Default',
		},
		...sizes.map((size) => ({
			name: size.replace('x', '×'),
			value: size,
			description: rule.sizes
				? `Allowed for ${model || 'this flavor'}`
				: 'Unknown model, not checked: the provider decides',
		})),
	];
}

/** Models for Sora Character's create operation. */
export async function searchCharacterModels(
	this: ILoadOptionsFunctions,
): Promise<INodeListSearchResult> {
	return {
		results: CHARACTER_MODELS.map((m) => ({ name: `${m.name} (${m.description})`, value: m.name })),
	};
}

/** The aspect ratios of the selected model, from the table; Sora's two for Sora and models the table does not know. */
export async function getAspectRatios(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const family = await familyOf(this);
	const names: Record<string, string> = {
		'16:9': 'Landscape 16:9',
		'9:16': 'Portrait 9:16',
		'1:1': 'Square 1:1',
		adaptive: 'Adaptive (From the Media)',
	};
	const ratios = family ? (family.aspectRatios ?? []) : ['16:9', '9:16'];
	return [
		{
			name: 'Provider Default',
			value: '',
			description: 'Send no aspect ratio: the provider picks',
		},
		...ratios.map((ratio) => ({
			name: names[ratio] ?? ratio,
			value: ratio,
			description: family
				? `Allowed for ${family.name}`
				: 'On OpenAI-compatible and Azure: 16:9 = 1280x720, 9:16 = 720x1280',
		})),
	];
}

/** The resolutions of the selected model (Kling: its modes). */
export async function getResolutions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const family = await familyOf(this);
	return [
		{ name: 'Provider Default', value: '', description: 'Send no resolution: the provider picks' },
		...(family?.resolutions ?? []).map((value) => ({
			name: family?.resolutionLabels?.[value] ?? value,
			value,
			description: `Allowed for ${family!.name}`,
		})),
	];
}
