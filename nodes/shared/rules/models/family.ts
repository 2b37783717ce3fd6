import type { MediaKind, MediaRole } from '../../domain/requests';

/**
 * The shape of one row of the toapis family table (docs/models.md): a video model other than Sora, its documented
 * fields and where each goes on the wire. The editor (choices, which fields show) and the validation before any
 * request both read these rows; the toapis adapter writes the body from them (wire.ts). Adding a model is one row.
 */

export const MEDIA_ROLES: readonly MediaRole[] = [
	'first_frame',
	'last_frame',
	'reference_image',
	'reference_video',
	'reference_audio',
];

export const ROLE_KIND: Record<MediaRole, MediaKind> = {
	first_frame: 'image',
	last_frame: 'image',
	reference_image: 'image',
	reference_video: 'video',
	reference_audio: 'audio',
};

/** Optional family fields, by their node parameter name (Additional Fields). */
export type FamilyField =
	| 'generateAudio'
	| 'returnLastFrame'
	| 'negativePrompt'
	| 'seed'
	| 'watermark'
	| 'webSearch'
	| 'outputFormat'
	| 'traceId'
	| 'promptOptimizer'
	| 'fastPretreatment'
	| 'promptExtend'
	| 'shotType'
	| 'enableGif'
	| 'personGeneration'
	| 'compressionQuality'
	| 'resizeMode'
	| 'audioType'
	| 'offPeak';

/** Where a field goes (a dotted path: "metadata.negative_prompt") and, for choices, which values are documented. */
export interface FieldRule {
	wire: string;
	values?: readonly string[];
}

/** The media a request carries, as URLs, sorted by role: what a family turns into its own fields. */
export interface WireMedia {
	/** Plain images (Image URLs, Image From Binary Field) in order */
	plain: string[];
	roles: Record<MediaRole, string[]>;
}

/** What a family's own combination check sees of a request. */
export interface FamilyView {
	model: string;
	videoOperation: string;
	/** undefined = not sent; -1 = auto */
	duration?: number;
	aspectRatio?: string;
	resolution?: string;
	values: Record<string, string | number | boolean>;
	counts: Record<MediaRole, number>;
	plainImages: number;
}

/** A combination the provider documents as wrong: the field to name, and the sentence after "but". */
export interface Problem {
	field: string;
	value: unknown;
	allowed: string;
	hint?: string;
}

export interface FamilyModelRule {
	name: string;
	/** The family as messages and the docs name it, e.g. "Seedance 2.5" */
	family: string;
	description: string;
	/** The provider page the row comes from */
	source: string;
	/** Every allowed duration in seconds (ranges written out) */
	durations: readonly number[];
	/** -1 ("auto": the provider picks) is allowed */
	autoDuration?: boolean;
	/** undefined: the model takes no aspect ratio */
	aspectRatios?: readonly string[];
	/** Default "aspect_ratio"; Veo 3 Official takes it as "size" */
	aspectWire?: string;
	resolutions?: readonly string[];
	/** Default "resolution" */
	resolutionWire?: string;
	/** How the editor names a resolution value (Kling: std = 720p) */
	resolutionLabels?: Readonly<Record<string, string>>;
	/** At most this many plain images (Image URLs + Image From Binary Field); undefined: none */
	plainImages?: number;
	/** Media roles taken, with the most of each */
	roles: Partial<Record<MediaRole, number>>;
	/** At most this many media inputs in total */
	maxMedia?: number;
	/** Reference audio from a binary field goes as a data: URI (documented for Seedance 2 only; no audio upload exists) */
	audioDataUri?: boolean;
	fields: Partial<Record<FamilyField, FieldRule>>;
	maxPromptChars?: number;
	/** Seedance 2.5's video_operation values */
	videoOperations?: readonly string[];
	/** POST /v1/videos/{id}/remix: the aspect ratios it takes (it takes no duration) */
	remix?: { aspectRatios: readonly string[] };
	/** POST /v1/videos/{id}/extend (Grok 1.0) */
	extend?: boolean;
	/** Where the task webhook URL goes */
	callbackWire: 'callback_url' | 'metadata.callback_url';
	/** The media as this family's fields */
	media(media: WireMedia): Record<string, unknown>;
	/** Combinations the family documents as wrong, beyond counts and value lists */
	check?(view: FamilyView): Problem | undefined;
}

/** 4–15 → [4, 5, ..., 15] */
export function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export const DOCS = 'https://docs.toapis.com/docs/en/api-reference/videos';

/** image_with_roles / video_with_roles / audio_with_roles, as Seedance, MiniMax H3 (and Kling, images only) take them. */
export function withRoles(media: WireMedia, kinds: { video?: boolean; audio?: boolean } = {}) {
	const out: Record<string, unknown> = {};
	const images = (['first_frame', 'last_frame', 'reference_image'] as const).flatMap((role) =>
		media.roles[role].map((url) => ({ url, role })),
	);
	if (media.plain.length) out.image_urls = media.plain;
	if (images.length) out.image_with_roles = images;
	if (kinds.video && media.roles.reference_video.length)
		out.video_with_roles = media.roles.reference_video.map((url) => ({
			url,
			role: 'reference_video',
		}));
	if (kinds.audio && media.roles.reference_audio.length)
		out.audio_with_roles = media.roles.reference_audio.map((url) => ({
			url,
			role: 'reference_audio',
		}));
	return out;
}

/** Frame mode (first/last frame) and reference mode cannot be mixed (Seedance 2, 2.5, MiniMax H3). */
export function framesOrReferences(view: FamilyView): Problem | undefined {
	const frames = view.counts.first_frame + view.counts.last_frame;
	const references =
		view.counts.reference_image + view.counts.reference_video + view.counts.reference_audio;
	if (frames && references)
		return {
			field: 'mediaInputs',
			value: 'first/last frame and references',
			allowed: `${view.model} takes either frames (first/last) or references, not both`,
			hint: 'Keep the frames, or the references, and remove the others.',
		};
	if (view.plainImages && frames + view.counts.reference_image)
		return {
			field: 'imageUrls',
			value: `${view.plainImages} plain image(s) and images with roles`,
			allowed: `${view.model} takes image_urls or image_with_roles, not both`,
			hint: 'Give every image a role under Media, and clear Image URLs / Image From Binary Field.',
		};
	return undefined;
}

export function lastNeedsFirst(view: FamilyView): Problem | undefined {
	if (view.counts.last_frame && !view.counts.first_frame)
		return {
			field: 'mediaInputs',
			value: 'a last frame without a first frame',
			allowed: `${view.model} takes a last frame only together with a first frame`,
			hint: 'Add the first frame (role First Frame).',
		};
	return undefined;
}

export function firstProblem(...checks: Array<Problem | undefined | false>): Problem | undefined {
	return checks.find((c): c is Problem => !!c);
}
