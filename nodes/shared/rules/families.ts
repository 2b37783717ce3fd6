import type { IDataObject } from 'n8n-workflow';
import type { MediaInput, MediaRole, VideoRequest } from '../domain/requests';
import { sniffImage, sniffVideo } from '../util/sniff';
import { HTTP_URL, type InputFile, type Refuser } from './checks';
import { TOAPIS_VIDEO_UPLOAD_LIMIT_BYTES } from './character';
import {
	byFamily,
	describeDurations,
	extraBodyConflicts,
	FAMILY_FIELDS,
	list,
	MEDIA_ROLES,
	modelsTaking,
	modelsWhere,
	ROLE_KIND,
	type FamilyField,
	type FamilyModelRule,
	type FamilyView,
} from './models';

/**
 * The checks for toapis' other video families (Seedance, Kling, Veo, Grok, Wan, MiniMax, Vidu), before any request:
 * every value against the model's row (models/), then the combinations the family documents as wrong.
 */

const IMAGE_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** Reference audio sent inline as a data: URI (Seedance 2); toapis has no audio upload */
const AUDIO_INLINE_LIMIT_BYTES = 15 * 1024 * 1024;

export const ROLE_LABELS: Record<MediaRole, string> = {
	first_frame: 'First Frame',
	last_frame: 'Last Frame',
	reference_image: 'Reference Image',
	reference_video: 'Reference Video',
	reference_audio: 'Reference Audio',
};

/** How refusals name the family parameters (their editor labels). */
export const FAMILY_FIELD_NAMES: Record<string, string> = {
	resolution: 'Resolution',
	videoOperation: 'Video Operation',
	mediaInputs: 'Media',
	extraBody: 'Extra Body Fields (JSON)',
	...Object.fromEntries(Object.entries(FAMILY_FIELDS).map(([key, spec]) => [key, spec.label])),
};

/** Additional Fields that only Sora models take (toapis' Sora metadata and the OpenAI-style size). */
export const SORA_ONLY_FIELDS = [
	'thumbnail',
	'n',
	'hd',
	'private',
	'style',
	'storyboard',
	'characterUrl',
	'characterTimestamps',
	'characterCreate',
	'characterFromTask',
	'size',
] as const;

/** One Media entry as the node read it. */
export interface MediaParameter {
	role: string;
	url: string;
	file?: InputFile;
}

/** What the family part of an item asks for, read from the node's parameters. */
export interface FamilyParameters {
	model: string;
	prompt: string;
	duration: number;
	aspectRatio: string;
	resolution: string;
	videoOperation: string;
	imageUrls: string[];
	image?: InputFile;
	media: MediaParameter[];
	additionalFields: IDataObject;
}

function isSet(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

/** Values of a row's field, checked by kind and, for choices, against the documented values. */
function readValues(
	refuser: Refuser,
	rule: FamilyModelRule,
	fields: IDataObject,
): Record<string, string | number | boolean> {
	const values: Record<string, string | number | boolean> = {};
	for (const [field, spec] of Object.entries(FAMILY_FIELDS) as Array<
		[FamilyField, (typeof FAMILY_FIELDS)[FamilyField]]
	>) {
		const value = fields[field];
		if (!isSet(value)) continue;
		const fieldRule = rule.fields[field];
		if (!fieldRule) {
			const takers = modelsTaking(field);
			refuser.notAllowed(
				field,
				value,
				`${rule.name} does not take ${spec.label}${takers.length ? `; it is for ${byFamily(takers)}` : ''}`,
				'Remove the field, or pick a model that takes it.',
			);
		}
		if (spec.kind === 'boolean' && typeof value !== 'boolean')
			refuser.notAllowed(field, value, 'it must be true or false');
		if (spec.kind === 'number' && !(typeof value === 'number' && Number.isInteger(value)))
			refuser.notAllowed(field, value, 'it must be a whole number');
		if (spec.kind === 'string' || spec.kind === 'options') {
			const text = String(value).trim();
			if (fieldRule!.values && !fieldRule!.values.includes(text))
				refuser.notAllowed(field, value, `${rule.name} takes ${list(fieldRule!.values)}`);
			values[field] = text;
			continue;
		}
		values[field] = value as boolean | number;
	}
	return values;
}

function checkUrl(refuser: Refuser, field: string, url: string): void {
	if (!HTTP_URL.test(url))
		refuser.notAllowed(
			field,
			url,
			'each entry must be a public http(s) URL',
			'Base64 and data: URIs are not accepted here: put the file in a binary field instead, and the node uploads it.',
		);
}

/** A file from a binary field: its real type and size, for the upload it needs. */
function mediaFile(
	refuser: Refuser,
	rule: FamilyModelRule,
	field: string,
	role: MediaRole | 'image',
	file: InputFile,
): MediaInput {
	const kind = role === 'image' ? 'image' : ROLE_KIND[role];
	const { data, binaryPropertyName, fileName } = file;
	const name = `binary field "${binaryPropertyName}" (${fileName})`;
	const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
	if (kind === 'image') {
		const info = sniffImage(data);
		if (!info)
			refuser.refuse(
				field,
				`The file in ${name} is not a JPEG, PNG, WebP or GIF image`,
				'Convert the image, or point the field at another binary property.',
			);
		if (data.length > IMAGE_UPLOAD_LIMIT_BYTES)
			refuser.refuse(
				field,
				`The image in ${name} is ${mb(data.length)}; uploads are limited to 10 MB`,
				'Resize or compress the image first.',
			);
		return { role, kind, file: { data, fileName, mimeType: info!.mimeType } };
	}
	if (kind === 'video') {
		const type = sniffVideo(data);
		if (!type)
			refuser.refuse(
				field,
				`The file in ${name} is not an MP4, WebM or MOV video`,
				'Convert the video, or point the field at another binary property.',
			);
		if (data.length > TOAPIS_VIDEO_UPLOAD_LIMIT_BYTES)
			refuser.refuse(
				field,
				`The video in ${name} is ${mb(data.length)}; uploads are limited to 50 MB`,
				'Shorten or compress the video first.',
			);
		return { role, kind, file: { data, fileName, mimeType: type! } };
	}
	if (!rule.audioDataUri)
		refuser.refuse(
			field,
			`Reference audio from a binary field cannot be sent to ${rule.name}: toapis has no audio upload and this model takes audio by URL only`,
			'Give the audio as a public URL (Media → URL).',
		);
	if (data.length > AUDIO_INLINE_LIMIT_BYTES)
		refuser.refuse(
			field,
			`The audio in ${name} is ${mb(data.length)}; at most 15 MB is sent inline`,
			'Shorten the audio, or give it as a URL.',
		);
	const mimeType = file.mimeType.startsWith('audio/') ? file.mimeType : 'audio/mpeg';
	return { role, kind, url: `data:${mimeType};base64,${data.toString('base64')}` };
}

/** Image URLs, Image From Binary Field and Media, checked against the row: roles, counts, sources. */
function readMedia(
	refuser: Refuser,
	rule: FamilyModelRule,
	parameters: FamilyParameters,
): { media: MediaInput[]; counts: Record<MediaRole, number>; plain: number } {
	const media: MediaInput[] = [];
	const plain = parameters.imageUrls.length + (parameters.image ? 1 : 0);
	if (plain && rule.plainImages === undefined)
		refuser.refuse(
			parameters.imageUrls.length ? 'imageUrls' : 'imageBinaryPropertyName',
			`${rule.name} takes images with a role only`,
			'Use Media: add each image with its role (First Frame, Last Frame, Reference Image).',
		);
	if (rule.plainImages !== undefined && plain > rule.plainImages)
		refuser.refuse(
			parameters.imageUrls.length ? 'imageUrls' : 'imageBinaryPropertyName',
			`${plain} images were given, but ${rule.name} takes at most ${rule.plainImages}`,
			'Remove images: the provider would ignore or refuse the others.',
		);
	for (const url of parameters.imageUrls) {
		checkUrl(refuser, 'imageUrls', url);
		media.push({ role: 'image', kind: 'image', url });
	}
	if (parameters.image)
		media.push(mediaFile(refuser, rule, 'imageBinaryPropertyName', 'image', parameters.image));

	const counts = Object.fromEntries(MEDIA_ROLES.map((r) => [r, 0])) as Record<MediaRole, number>;
	parameters.media.forEach((entry, index) => {
		const role = entry.role as MediaRole;
		const label = `Media ${index + 1}`;
		if (!MEDIA_ROLES.includes(role))
			refuser.notAllowed('mediaInputs', entry.role, `the role must be one of ${list(MEDIA_ROLES)}`);
		const max = rule.roles[role];
		if (max === undefined) {
			const takers = modelsWhere((m) => m.roles[role] !== undefined);
			refuser.notAllowed(
				'mediaInputs',
				`${label}: ${ROLE_LABELS[role]}`,
				`${rule.name} takes no ${ROLE_LABELS[role].toLowerCase()}${takers.length ? `; ${byFamily(takers)} do` : ''}`,
				'Remove the entry, or change its role.',
			);
		}
		counts[role]++;
		if (counts[role] > max!)
			refuser.notAllowed(
				'mediaInputs',
				`${counts[role]} × ${ROLE_LABELS[role]}`,
				`${rule.name} takes at most ${max} ${ROLE_LABELS[role].toLowerCase()}${max === 1 ? '' : 's'}`,
			);
		const url = entry.url.trim();
		if (!!url === !!entry.file)
			refuser.refuse(
				'mediaInputs',
				`${label} (${ROLE_LABELS[role]}) needs exactly one source: a URL or a binary field`,
				'Fill in URL, or Binary Field, not both.',
			);
		if (url) {
			checkUrl(refuser, 'mediaInputs', url);
			media.push({ role, kind: ROLE_KIND[role], url });
		} else media.push(mediaFile(refuser, rule, 'mediaInputs', role, entry.file!));
	});
	if (rule.maxMedia !== undefined && media.length > rule.maxMedia)
		refuser.notAllowed(
			'mediaInputs',
			`${media.length} media inputs`,
			`${rule.name} takes at most ${rule.maxMedia} in total`,
		);
	return { media, counts, plain };
}

/** The family part of a generate request, checked; refusals name the field, the value and what is allowed. */
export function familyRequest(
	refuser: Refuser,
	rule: FamilyModelRule,
	parameters: FamilyParameters,
): VideoRequest {
	const { notAllowed, refuse } = refuser;
	const model = rule.name;
	const prompt = parameters.prompt.trim();
	if (!prompt) refuse('prompt', 'Prompt is empty', 'Describe the video to generate.');
	if (rule.maxPromptChars && prompt.length > rule.maxPromptChars)
		refuse(
			'prompt',
			`Prompt has ${prompt.length} characters, but ${model} takes at most ${rule.maxPromptChars}`,
			'Shorten the prompt.',
		);
	const fields = parameters.additionalFields ?? {};
	for (const field of SORA_ONLY_FIELDS) {
		if (isSet(fields[field]))
			notAllowed(
				field,
				fields[field],
				`it is a Sora field, and ${model} is ${rule.family}`,
				'Remove the field.',
			);
	}

	let duration: number | undefined;
	const given = Number(parameters.duration || 0);
	if (given !== 0) {
		const auto = given === -1 && rule.autoDuration;
		if (!auto && !rule.durations.includes(given)) {
			const allowed = `${model} allows ${describeDurations(rule)}`;
			notAllowed(
				'duration',
				parameters.duration,
				allowed,
				'Pick one of the allowed durations; the list in the editor follows the model.',
			);
		}
		duration = given;
	}
	const aspectRatio = parameters.aspectRatio.trim() || undefined;
	if (aspectRatio !== undefined) {
		if (!rule.aspectRatios)
			notAllowed(
				'aspectRatio',
				aspectRatio,
				`${model} takes no aspect ratio (the provider decides)`,
				'Choose Provider Default.',
			);
		else if (!rule.aspectRatios.includes(aspectRatio))
			notAllowed('aspectRatio', aspectRatio, `${model} allows ${list(rule.aspectRatios)}`);
	}
	const resolution = parameters.resolution.trim() || undefined;
	if (resolution !== undefined) {
		if (!rule.resolutions) notAllowed('resolution', resolution, `${model} takes no resolution`);
		else if (!rule.resolutions.includes(resolution))
			notAllowed('resolution', resolution, `${model} allows ${list(rule.resolutions)}`);
	}
	const videoOperation = parameters.videoOperation.trim() || 'generate';
	if (videoOperation !== 'generate' && !rule.videoOperations?.includes(videoOperation)) {
		notAllowed(
			'videoOperation',
			videoOperation,
			rule.videoOperations
				? `${model} allows ${list(rule.videoOperations)}`
				: `${model} only generates (edit and extend are for ${byFamily(modelsWhere((m) => !!m.videoOperations))})`,
		);
	}
	const values = readValues(refuser, rule, fields);
	const { media, counts, plain } = readMedia(refuser, rule, parameters);
	const view: FamilyView = {
		model,
		videoOperation,
		duration,
		aspectRatio,
		resolution,
		values,
		counts,
		plainImages: plain,
	};
	const problem = rule.check?.(view);
	if (problem) notAllowed(problem.field, problem.value, `${problem.allowed}`, problem.hint);
	return {
		operation: 'generate',
		model,
		prompt,
		duration,
		imageUrls: [],
		metadata: {},
		family: { aspectRatio, resolution, videoOperation, values, media },
	};
}

/** Extra Body Fields (JSON): a JSON object, or nothing. */
export function parseExtraBody(
	refuser: Refuser,
	value: unknown,
): Record<string, unknown> | undefined {
	if (!isSet(value)) return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			refuser.notAllowed(
				'extraBody',
				value,
				`it is not valid JSON (${(error as Error).message})`,
				'Write a JSON object, e.g. {"new_field": true}.',
			);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
		refuser.notAllowed('extraBody', value, 'it must be a JSON object, e.g. {"new_field": true}');
	const extra = parsed as Record<string, unknown>;
	return Object.keys(extra).length ? extra : undefined;
}

/** Refuses Extra Body Fields that would override a field the node sets in this body. */
export function checkExtraBody(
	refuser: Refuser,
	body: Record<string, unknown>,
	extra: Record<string, unknown> | undefined,
): void {
	if (!extra) return;
	const conflicts = extraBodyConflicts(body, extra);
	if (conflicts.length)
		refuser.notAllowed(
			'extraBody',
			`{${conflicts.map((c) => `"${c}"`).join(', ')}: …}`,
			`the node already sets ${list(conflicts.map((c) => `"${c}"`))} in this request`,
			'Set it with the node field instead, or remove it from Extra Body Fields: they are for fields the node does not know yet.',
		);
}

/** On a Sora (or unknown) model, the family parameters have nowhere to go: say so rather than drop them. */
export function refuseFamilyParameters(
	refuser: Refuser,
	modelName: string,
	parameters: Pick<
		FamilyParameters,
		'resolution' | 'videoOperation' | 'media' | 'additionalFields'
	>,
): void {
	const fields = parameters.additionalFields ?? {};
	const forFamilies = (takers: string[]) =>
		takers.length ? `; it is for ${byFamily(takers)}` : '';
	for (const field of Object.keys(FAMILY_FIELDS) as FamilyField[]) {
		// Watermark is a Sora field too.
		if (field === 'watermark' || !isSet(fields[field])) continue;
		refuser.notAllowed(
			field,
			fields[field],
			`${modelName} does not take ${FAMILY_FIELDS[field].label}${forFamilies(modelsTaking(field))}`,
			'Remove the field, or pick a model that takes it.',
		);
	}
	if (parameters.resolution?.trim())
		refuser.notAllowed(
			'resolution',
			parameters.resolution,
			`${modelName} takes no resolution`,
			'Clear the field.',
		);
	if (parameters.videoOperation?.trim() && parameters.videoOperation !== 'generate')
		refuser.notAllowed('videoOperation', parameters.videoOperation, `${modelName} only generates`);
	if (parameters.media?.length)
		refuser.notAllowed(
			'mediaInputs',
			`${parameters.media.length} entries`,
			`${modelName} takes no media with roles`,
			'Use Image URLs or Image From Binary Field.',
		);
}
