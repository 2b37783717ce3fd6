import type { ApiFlavor } from '../../domain/api';
import type { AspectRatio } from '../../domain/requests';

/**
 * The one table of Sora models and their rules (docs/providers.md#9-model-rules). It drives both
 * the choices the editor shows (durations per model) and the validation every item passes before a request.
 * Models it does not know pass through with their flavor's generic rules: model names stay open.
 */

export interface ModelRule {
	name: string;
	description: string;
	/** Allowed durations in seconds; undefined = not documented, any positive whole number passes */
	durations?: readonly number[];
	/** Sizes for the OpenAI-style `size` field, by aspect ratio (first = what the aspect ratio maps to) */
	sizes?: Readonly<Record<AspectRatio, readonly string[]>>;
	/** metadata.hd allowed; and durations where it is not */
	hd: boolean;
	hdExcludedDurations?: readonly number[];
	/** Accepts toapis metadata.* fields and `thumbnail` */
	metadata: boolean;
	/** At most this many reference images (more would be silently ignored by the provider) */
	maxImages?: number;
	imageTypes?: readonly string[];
	/** Reference images must be exactly the size the aspect ratio maps to */
	exactImageSize?: boolean;
	/** What a remix may change besides the prompt */
	remix: 'modelDurationAspect' | 'promptOnly';
	/** Longest prompt the provider takes, where one is known */
	maxPromptChars?: number;
}

const TOAPIS_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
const OPENAI_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/**
 * OpenAI's published Videos API takes prompts of up to 32,000 characters, and its SDK sends them
 * (docs/providers.md#9-model-rules). The 2,000 that some third-party pages state is theirs, not the API's: a host
 * that documents a lower limit of its own refuses longer prompts itself. toapis states none.
 */
const OPENAI_MAX_PROMPT = 32_000;
const STANDARD_SIZES = { '16:9': ['1280x720'], '9:16': ['720x1280'] } as const;

/** What every OpenAI-shaped API shares: no toapis metadata, one reference image as a file of exactly the output size. */
const OPENAI_STYLE: ModelRule = {
	name: '',
	description: '',
	hd: false,
	metadata: false,
	maxImages: 1,
	imageTypes: OPENAI_IMAGE_TYPES,
	exactImageSize: true,
	remix: 'promptOnly',
	maxPromptChars: OPENAI_MAX_PROMPT,
};

/** Azure's Sora 2 (any deployment name; also toapis' sora-2-official): 4/8/12 s and two sizes (docs/providers.md#9-model-rules). */
const AZURE_SORA_2: ModelRule = { ...OPENAI_STYLE, durations: [4, 8, 12], sizes: STANDARD_SIZES };

const TOAPIS_MODELS: ModelRule[] = [
	{
		name: 'sora-2',
		description: 'Standard, 10 or 15 s',
		durations: [10, 15],
		hd: false,
		metadata: true,
		remix: 'modelDurationAspect',
	},
	{
		name: 'sora-2-pro',
		description: 'Professional, 15 or 25 s; HD at 15 s',
		durations: [15, 25],
		hd: true,
		hdExcludedDurations: [25],
		metadata: true,
		remix: 'modelDurationAspect',
	},
	{
		name: 'sora-2-vip',
		description: 'Higher priority',
		hd: false,
		metadata: true,
		remix: 'modelDurationAspect',
	},
	{
		name: 'sora-2-vvip',
		description: 'Fixed tiers: 4, 8 or 12 s',
		durations: [4, 8, 12],
		hd: false,
		metadata: true,
		remix: 'modelDurationAspect',
	},
	{
		...AZURE_SORA_2,
		name: 'sora-2-official',
		description:
			'Azure Sora 2 through toapis: 4, 8 or 12 s, one 1280×720 or 720×1280 reference image',
		maxPromptChars: undefined,
	},
];

const OPENAI_MODELS: ModelRule[] = [
	{
		...OPENAI_STYLE,
		name: 'sora-2',
		description: '4, 8 or 12 s; 1280×720 or 720×1280',
		durations: [4, 8, 12],
		sizes: STANDARD_SIZES,
	},
	{
		...OPENAI_STYLE,
		name: 'sora-2-pro',
		description: '4, 8 or 12 s; also 1792×1024 and 1024×1792',
		durations: [4, 8, 12],
		sizes: { '16:9': ['1280x720', '1792x1024'], '9:16': ['720x1280', '1024x1792'] },
	},
];

/** Rules for a model the table does not know, per flavor. */
const GENERIC: Record<ApiFlavor, ModelRule> = {
	toapis: {
		name: '',
		description: '',
		hd: true,
		metadata: true,
		imageTypes: TOAPIS_IMAGE_TYPES,
		remix: 'modelDurationAspect',
	},
	openaiCompatible: OPENAI_STYLE,
	azure: AZURE_SORA_2,
};

export function modelsFor(flavor: ApiFlavor): readonly ModelRule[] {
	if (flavor === 'toapis') return TOAPIS_MODELS;
	if (flavor === 'openaiCompatible') return OPENAI_MODELS;
	return [];
}

export function ruleFor(flavor: ApiFlavor, model: string): { rule: ModelRule; known: boolean } {
	const known = modelsFor(flavor).find((m) => m.name === model);
	if (known)
		return {
			rule: {
				...GENERIC[flavor],
				...known,
				imageTypes: known.imageTypes ?? GENERIC[flavor].imageTypes,
			},
			known: true,
		};
	return { rule: { ...GENERIC[flavor], name: model }, known: false };
}

/** Every duration any model of a flavor allows: what the editor offers for a model the table does not know. */
export function knownDurations(flavor: ApiFlavor): number[] {
	const all = new Set<number>();
	for (const m of [...modelsFor(flavor), GENERIC[flavor]])
		for (const d of m.durations ?? []) all.add(d);
	if (!all.size) [4, 8, 10, 12, 15, 25].forEach((d) => all.add(d));
	return [...all].sort((a, b) => a - b);
}

/** "4 s, 8 s or 12 s": how messages and descriptions list allowed values. */
export function list(values: readonly (string | number)[], unit = ''): string {
	const parts = values.map((v) => `${v}${unit}`);
	return parts.length <= 1
		? parts.join('')
		: `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** The allowed durations of every model, in words, for a reader of a description (e.g. an AI agent's tool). */
export function durationsByModel(): string {
	const byModel = (flavor: ApiFlavor) =>
		modelsFor(flavor)
			.map(
				(m) =>
					`${m.name} ${m.durations ? list(m.durations, ' s') : 'not documented (the provider decides)'}`,
			)
			.join('; ');
	return `toapis: ${byModel('toapis')}. OpenAI-compatible: ${byModel('openaiCompatible')}. Azure: ${list(GENERIC.azure.durations ?? [], ' s')}.`;
}

/** Only the OpenAI-shaped APIs take a size; toapis takes the aspect ratio alone. */
export function takesSize(flavor: ApiFlavor): boolean {
	return flavor !== 'toapis';
}

/** Every size a model allows, landscape first; undefined where the table documents none. */
export function sizesOf(rule: ModelRule): string[] | undefined {
	return rule.sizes ? [...rule.sizes['16:9'], ...rule.sizes['9:16']] : undefined;
}

/** The sizes OpenAI-shaped hosts document across their models: the editor's offer for a model the table does not know. */
export const OPEN_SIZES = ['1280x720', '1792x1024', '720x1280', '1024x1792'] as const;

export const STYLES = ['thanksgiving', 'comic', 'news', 'selfie', 'nostalgic', 'anime'] as const;

export const DEFAULT_MODEL: Record<ApiFlavor, string> = {
	toapis: 'sora-2',
	openaiCompatible: 'sora-2',
	azure: '',
};

/** Models toapis documents for character creation (docs/providers.md#11-characters); others may be typed. */
export const CHARACTER_MODELS = [
	{ name: 'sora-2', description: 'Standard' },
	{ name: 'sora-2-pro', description: 'Higher quality' },
	{ name: 'sora-2-vip', description: 'Higher priority' },
] as const;
