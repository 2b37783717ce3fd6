import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import {
	byFamily,
	FAMILY_FIELDS,
	FAMILY_MODEL_NAMES,
	FAMILY_MODELS,
	MEDIA_ROLES,
	modelsTaking,
	modelsWhere,
	type FamilyField,
} from '../rules/models';
import { ROLE_LABELS, type MediaParameter } from '../rules/families';
import { readInputFile } from './read';

/**
 * The editor side of toapis' video families: the fields each family takes, shown only while a model that takes
 * them is selected (displayOptions on the Model's value, which n8n reads through the resource locator), and
 * described with the models that take them. All of it comes from the model table.
 */

/** Shown only for these models (a top-level parameter). */
export function forModels(models: readonly string[]): INodeProperties['displayOptions'] {
	return { show: { model: [...models] } };
}

/** Shown only for these models (an option inside a collection: the Model sits at the root). */
export function forModelsInCollection(
	models: readonly string[],
): INodeProperties['displayOptions'] {
	return { show: { '/model': [...models] } };
}

/** Hidden for the family models: Sora's own options (they stay for Sora and for models the table does not know). */
export const HIDE_FOR_FAMILIES: INodeProperties['displayOptions'] = {
	hide: { '/model': [...FAMILY_MODEL_NAMES] },
};

export const RESOLUTION_MODELS = modelsWhere((m) => !!m.resolutions);
export const MEDIA_MODELS = modelsWhere((m) => Object.keys(m.roles).length > 0);
export const NO_ASPECT_MODELS = modelsWhere((m) => !m.aspectRatios);
export const NO_PLAIN_IMAGE_MODELS = modelsWhere((m) => m.plainImages === undefined);
export const VIDEO_OPERATION_MODELS = modelsWhere((m) => !!m.videoOperations);
export const NO_WATERMARK_MODELS = modelsWhere((m) => !m.fields.watermark);

function choicesOf(field: FamilyField): string[] {
	const values = new Set<string>();
	for (const model of FAMILY_MODELS)
		for (const v of model.fields[field]?.values ?? []) values.add(v);
	return [...values];
}

/** One Additional Fields option per family field, in the editor's alphabetical order. */
export function familyFieldOptions(): INodeProperties[] {
	return (
		Object.entries(FAMILY_FIELDS) as Array<[FamilyField, (typeof FAMILY_FIELDS)[FamilyField]]>
	)
		.filter(([field]) => field !== 'watermark')
		.map(([field, spec]): INodeProperties => {
			const models = modelsTaking(field);
			const base = {
				displayName: spec.label,
				name: field,
				description: `${spec.description}. For ${byFamily(models)}.`,
				displayOptions: forModelsInCollection(models),
			};
			if (spec.kind === 'boolean') return { ...base, type: 'boolean', default: false };
			if (spec.kind === 'number') return { ...base, type: 'number', default: 0 };
			if (spec.kind === 'options') {
				const choices = choicesOf(field);
				return {
					...base,
					type: 'options',
					default: choices[0],
					options: choices.map((value) => ({ name: value, value })),
				};
			}
			return { ...base, type: 'string', default: '', placeholder: spec.placeholder };
		});
}

/** Media with roles: first/last frame, reference images, videos and audio, each a URL or a binary field. */
export const mediaInputsProperty: INodeProperties = {
	displayName: 'Media',
	name: 'mediaInputs',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Media',
	default: {},
	description:
		'Images, videos and audio with their role, each from a public URL or an input binary field (uploaded for you: images up to 10 MB, videos up to 50 MB; audio from a binary field only for Seedance 2, inline). Which roles and how many depend on the model; the node refuses what it does not take.',
	displayOptions: forModels(MEDIA_MODELS),
	options: [
		{
			displayName: 'Media',
			name: 'media',
			values: [
				{
					displayName: 'Binary Field',
					name: 'binaryPropertyName',
					type: 'string',
					default: '',
					placeholder: 'data',
					description: 'Name of the input binary field holding the file (leave empty to use URL)',
				},
				{
					displayName: 'Role',
					name: 'role',
					type: 'options',
					default: 'first_frame',
					options: MEDIA_ROLES.map((role) => ({
						name: ROLE_LABELS[role],
						value: role,
						description: `For ${byFamily(modelsWhere((m) => m.roles[role] !== undefined))}`,
					})),
				},
				{
					displayName: 'URL',
					name: 'url',
					type: 'string',
					default: '',
					placeholder: 'https://example.com/first-frame.png',
					description: 'Public http(s) URL of the file (leave empty to use Binary Field)',
				},
			],
		},
	],
};

/** Resolution, Video Operation and Media: Generate's top-level fields for the families, each shown by model. */
export const familyProperties: INodeProperties[] = [
	{
		displayName: 'Resolution Name or ID',
		name: 'resolution',
		type: 'options',
		default: '',
		typeOptions: { loadOptionsMethod: 'getResolutions', loadOptionsDependsOn: ['model.value'] },
		description:
			'The output resolution; the choices follow the model (Kling: std = 720p, pro = 1080p). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: forModels(RESOLUTION_MODELS),
	},
	{
		displayName: 'Video Operation',
		name: 'videoOperation',
		type: 'options',
		default: 'generate',
		options: [
			{ name: 'Generate', value: 'generate', description: 'A new video (sends nothing)' },
			{
				name: 'Edit',
				value: 'edit',
				description: 'Change a reference video (Media, role Reference Video)',
			},
			{
				name: 'Extend',
				value: 'extend',
				description: 'Continue a reference video; needs a duration',
			},
		],
		description: 'Seedance 2.5: generate, edit or extend (video_operation)',
		displayOptions: forModels(VIDEO_OPERATION_MODELS),
	},
	mediaInputsProperty,
];

/** Collection options in the editor's alphabetical order (n8n's lint asks it of literal lists; generated ones join them). */
export function sortedCollections(list: INodeProperties[]): INodeProperties[] {
	return list.map((p) =>
		p.type === 'collection'
			? {
					...p,
					options: [...(p.options as INodeProperties[])].sort((a, b) =>
						a.displayName.localeCompare(b.displayName),
					),
				}
			: p,
	);
}

/** Media entries; a binary field is read whole (uploads are at most 50 MB and must be inspected first). */
export async function readMediaInputs(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<MediaParameter[]> {
	const entries = ctx.getNodeParameter('mediaInputs.media', itemIndex, []) as IDataObject[];
	const media: MediaParameter[] = [];
	for (let i = 0; i < entries.length; i++) {
		const field = `mediaInputs.media[${i}].binaryPropertyName`;
		media.push({
			role: String(entries[i].role ?? ''),
			url: String(entries[i].url ?? ''),
			file: await readInputFile(ctx, itemIndex, field, `Media ${i + 1} → Binary Field`),
		});
	}
	return media;
}
