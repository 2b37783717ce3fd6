import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { CREDENTIAL_NAME, isApiFlavor, type ApiFlavor } from '../domain/api';
import {
	CHARACTER_MODELS,
	knownDurations,
	modelsFor,
	OPEN_SIZES,
	ruleFor,
	sizesOf,
	takesSize,
} from '../rules/models';

async function flavorOf(ctx: ILoadOptionsFunctions): Promise<ApiFlavor> {
	try {
		const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
		return isApiFlavor(credentials.apiFlavor) ? credentials.apiFlavor : 'toapis';
	} catch {
		return 'toapis';
	}
}

/** The editor's model list: the models the model table knows for the credential's flavor. */
export async function searchModels(this: ILoadOptionsFunctions): Promise<INodeListSearchResult> {
	const flavor = await flavorOf(this);
	return {
		results: modelsFor(flavor).map((model) => ({
			name: `${model.name} (${model.description})`,
			value: model.name,
		})),
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
