import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { isApiFlavor, type ApiFlavor } from '../provider/connection';
import { CHARACTER_MODELS, knownDurations, modelsFor, ruleFor } from './models';

async function flavorOf(ctx: ILoadOptionsFunctions): Promise<ApiFlavor> {
	try {
		const credentials = await ctx.getCredentials('soraApi');
		return isApiFlavor(credentials.apiFlavor) ? credentials.apiFlavor : 'toapis';
	} catch {
		return 'toapis';
	}
}

/** The editor's model list: the models the model table knows for the credential's flavor. */
export async function searchModels(this: ILoadOptionsFunctions): Promise<INodeListSearchResult> {
	const flavor = await flavorOf(this);
	return {
		results: modelsFor(flavor).map((model) => ({ name: `${model.name} (${model.description})`, value: model.name })),
	};
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
			description: known || rule.durations ? `Allowed for ${model || 'this flavor'}` : 'Not checked: unknown model',
		})),
	];
}

/** Models for Sora Character's create operation. */
export async function searchCharacterModels(this: ILoadOptionsFunctions): Promise<INodeListSearchResult> {
	return { results: CHARACTER_MODELS.map((m) => ({ name: `${m.name} (${m.description})`, value: m.name })) };
}
