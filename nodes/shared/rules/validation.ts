import type { IDataObject, INode } from 'n8n-workflow';
import { z } from 'zod/v4';
import { flavorLabel, type ApiFlavor } from '../domain/api';
import type { AspectRatio, VideoRequest } from '../domain/requests';
import { sniffImage } from '../util/sniff';
import {
	HTTP_URL,
	parseSecondsRange,
	refuserFor,
	show,
	TASK_ID,
	type InputFile,
	type Refuser,
} from './checks';
import {
	checkExtraBody,
	FAMILY_FIELD_NAMES,
	familyRequest,
	parseExtraBody,
	refuseFamilyParameters,
	type MediaParameter,
} from './families';
import {
	familyBody,
	familyModel,
	list,
	ruleFor,
	sizesOf,
	STYLES,
	takesSize,
	type FamilyModelRule,
	type ModelRule,
} from './models';

/**
 * Everything a Sora Generate item asks for, checked against the model table before any request leaves.
 * A refusal names the field, the value given and what is allowed, so nothing is paid for a request the
 * provider would reject (or worse, accept and bill while ignoring a field).
 */

export const TOAPIS_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** What the node read from its parameters for one item. */
export interface VideoParameters {
	operation: 'generate' | 'remix' | 'extend';
	videoId: string;
	model: string;
	prompt: string;
	duration: number;
	aspectRatio: string;
	imageUrls: unknown;
	image?: InputFile;
	additionalFields: IDataObject;
	/** The credential's Webhook URL (toapis console default), which Callback URLs must stay on */
	webhookUrl?: string;
	/** toapis families (generate only): Resolution, Video Operation, Media */
	resolution?: string;
	videoOperation?: string;
	media?: MediaParameter[];
}

/** How errors name each field: the editor labels (without n8n's " Name or ID" suffix), held equal by a test. */
export const FIELD_NAMES: Record<string, string> = {
	model: 'Model',
	prompt: 'Prompt',
	videoId: 'Video ID',
	duration: 'Duration',
	aspectRatio: 'Aspect Ratio',
	size: 'Size',
	imageUrls: 'Image URLs',
	imageBinaryPropertyName: 'Image From Binary Field',
	thumbnail: 'Thumbnail',
	n: 'Number of Variants',
	watermark: 'Watermark',
	hd: 'HD',
	private: 'Private',
	style: 'Style',
	storyboard: 'Storyboard',
	characterUrl: 'Character URL',
	characterTimestamps: 'Character Timestamps',
	characterCreate: 'Character Create',
	characterFromTask: 'Character From Task',
	callbackUrl: 'Callback URL',
	clientBusinessId: 'Client Business ID',
	ifTaskExists: 'If a Task With This ID Exists',
	...FAMILY_FIELD_NAMES,
};

const METADATA_FIELDS = [
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
] as const;

const additionalFieldsSchema = z
	.object({
		thumbnail: z.boolean(),
		n: z.number().int().min(1).max(4),
		watermark: z.boolean(),
		hd: z.boolean(),
		private: z.boolean(),
		style: z.enum(STYLES),
		storyboard: z.boolean(),
		characterUrl: z.string(),
		characterTimestamps: z.string(),
		characterCreate: z.boolean(),
		characterFromTask: z.string(),
		size: z.string(),
		callbackUrl: z.string(),
		clientBusinessId: z.string(),
		ifTaskExists: z.enum(['reuse', 'submitNew']),
		extraBody: z.union([z.string(), z.record(z.string(), z.unknown())]),
	})
	.partial();

const ALLOWED_TEXT: Record<string, string> = {
	n: 'a whole number from 1 to 4',
	style: STYLES.join(', '),
	ifTaskExists: '"reuse" or "submitNew"',
};

export function splitImageUrls(value: unknown): string[] {
	const raw = Array.isArray(value)
		? value.map(String)
		: typeof value === 'string'
			? value.split(/[\n,]/)
			: [];
	return raw.map((url) => url.trim()).filter(Boolean);
}

/** The size a request renders at on OpenAI-style APIs (and for sora-2-official's reference image). */
function targetSize(
	rule: ModelRule,
	aspectRatio: AspectRatio | undefined,
	size: string | undefined,
): string {
	if (size) return size;
	const ratio = aspectRatio ?? '9:16';
	return rule.sizes?.[ratio][0] ?? (ratio === '16:9' ? '1280x720' : '720x1280');
}

/** What every check needs to know besides the request it fills in. */
interface CheckContext extends Refuser {
	flavor: ApiFlavor;
	rule: ModelRule;
	/** The model as errors name it: "sora-2", or 'model "my-deployment"' for names outside the table */
	modelName: string;
	openAiStyle: boolean;
}

export function validateVideoRequest(
	node: INode,
	itemIndex: number,
	flavor: ApiFlavor,
	input: VideoParameters,
): VideoRequest {
	const refuser = refuserFor(node, itemIndex, FIELD_NAMES);
	const { refuse } = refuser;
	const model = input.model.trim();
	if (!model) {
		refuse(
			'model',
			'Model is empty',
			flavor === 'azure'
				? 'On Azure the model is your Sora deployment name, e.g. "sora-2".'
				: 'Pick a model, e.g. sora-2.',
		);
	}
	const { rule, known } = ruleFor(flavor, model);
	const check: CheckContext = {
		...refuser,
		flavor,
		rule,
		modelName: known ? model : `model "${model}"`,
		openAiStyle: takesSize(flavor),
	};
	const family = flavor === 'toapis' ? familyModel(model) : undefined;
	if (family) return validateFamilyVideo(check, family, input);
	if (input.operation === 'extend')
		refuse(
			'model',
			`Extend is not available for ${check.modelName}`,
			'Extend is documented for grok-video-1.0 only; Seedance 2.5 extends with Video Operation "extend" in Generate.',
		);

	const prompt = input.prompt.trim();
	if (!prompt)
		refuse(
			'prompt',
			'Prompt is empty',
			'Describe the video to generate. Mention characters as @username.',
		);
	if (rule.maxPromptChars && prompt.length > rule.maxPromptChars) {
		refuse(
			'prompt',
			`Prompt has ${prompt.length} characters, but the ${flavorLabel(flavor)} API takes at most ${rule.maxPromptChars}`,
			'Shorten the prompt; put the subject, camera and style first.',
		);
	}
	const request: VideoRequest = {
		operation: input.operation,
		model,
		prompt,
		imageUrls: [],
		metadata: {},
	};
	if (input.operation === 'remix') {
		request.videoId = input.videoId.trim();
		if (!request.videoId)
			refuse(
				'videoId',
				'Video ID is empty',
				'Give the id of the finished video to remix, e.g. {{ $json.id }} from an earlier Sora Generate.',
			);
	}

	checkDuration(check, input, request);
	if (input.aspectRatio) {
		if (input.aspectRatio !== '16:9' && input.aspectRatio !== '9:16')
			check.notAllowed('aspectRatio', input.aspectRatio, 'it must be 16:9 or 9:16');
		request.aspectRatio = input.aspectRatio as AspectRatio;
	}
	const fields = parseAdditionalFields(check, input.additionalFields);
	checkSize(check, fields, request);
	if (input.operation === 'remix') {
		checkRemix(check, request);
		return request;
	}
	checkReferenceImages(check, input, request);
	checkMetadata(check, fields, request);
	checkWebhookFields(check, fields, request, input.webhookUrl);
	refuseFamilyParameters(check, check.modelName, {
		resolution: input.resolution ?? '',
		videoOperation: input.videoOperation ?? '',
		media: input.media ?? [],
		additionalFields: input.additionalFields,
	});
	request.extraBody = extraBodyFor(check, fields, soraWireBody(request));
	return request;
}

/** Extra Body Fields: a JSON object, toapis only (for now), never over a field the node sets. */
function extraBodyFor(
	check: CheckContext,
	fields: AdditionalFields,
	body: Record<string, unknown>,
): Record<string, unknown> | undefined {
	const extra = parseExtraBody(check, fields.extraBody);
	if (extra && check.openAiStyle)
		check.refuse(
			'extraBody',
			`Extra Body Fields are sent on the toapis flavor only, not on ${flavorLabel(check.flavor)}`,
			'Remove the field.',
		);
	checkExtraBody(check, body, extra);
	return extra;
}

/** The fields a toapis Sora create body carries (as provider/flavors/toapis.ts writes them), for the Extra Body check. */
function soraWireBody(request: VideoRequest): Record<string, unknown> {
	const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
	const body: Record<string, unknown> = { model: request.model, prompt: request.prompt };
	if (request.duration !== undefined) body.duration = request.duration;
	if (request.aspectRatio) body.aspect_ratio = request.aspectRatio;
	if (request.imageUrls.length || request.image) body.image_urls = [];
	if (request.thumbnail !== undefined) body.thumbnail = request.thumbnail;
	const metadata = Object.fromEntries(
		Object.entries(request.metadata).map(([key, value]) => [snake(key), value]),
	);
	if (Object.keys(metadata).length) body.metadata = metadata;
	if (request.callbackUrl) body.callback_url = request.callbackUrl;
	if (request.clientBusinessId) body.client_business_id = request.clientBusinessId;
	return body;
}

/** A toapis family model (Seedance, Kling, Veo, Grok, Wan, MiniMax, Vidu): its row decides (rules/families.ts). */
function validateFamilyVideo(
	check: CheckContext,
	family: FamilyModelRule,
	input: VideoParameters,
): VideoRequest {
	if (input.operation !== 'generate') return familyRemixOrExtend(check, family, input);
	const request = familyRequest(check, family, {
		model: family.name,
		prompt: input.prompt,
		duration: input.duration,
		aspectRatio: input.aspectRatio ?? '',
		resolution: input.resolution ?? '',
		videoOperation: input.videoOperation ?? '',
		imageUrls: splitImageUrls(input.imageUrls),
		image: input.image,
		media: input.media ?? [],
		additionalFields: input.additionalFields ?? {},
	});
	const fields = parseAdditionalFields(check, input.additionalFields);
	checkWebhookFields(check, fields, request, input.webhookUrl);
	request.extraBody = extraBodyFor(check, fields, familyBody(family, request));
	return request;
}

/** Remix (POST /videos/{id}/remix) and extend (POST /videos/{id}/extend): the prompt, and a ratio for a remix. */
function familyRemixOrExtend(
	check: CheckContext,
	family: FamilyModelRule,
	input: VideoParameters,
): VideoRequest {
	const { refuse, notAllowed } = check;
	const operation = input.operation;
	const name = operation === 'remix' ? 'Remix' : 'Extend';
	const takes = operation === 'remix' ? family.remix : family.extend;
	if (!takes)
		refuse(
			'model',
			`${name} is not available for ${family.name}`,
			operation === 'remix'
				? 'Remix is documented for grok-video-1.0 and the Sora models.'
				: 'Extend is documented for grok-video-1.0; Seedance 2.5 extends with Video Operation "extend" in Generate.',
		);
	const prompt = input.prompt.trim();
	if (!prompt)
		refuse('prompt', 'Prompt is empty', `Describe what the ${name.toLowerCase()} should show.`);
	const videoId = input.videoId.trim();
	if (!videoId)
		refuse(
			'videoId',
			'Video ID is empty',
			`Give the task id of the finished ${family.name} video, e.g. {{ $json.id }} from an earlier Sora Generate.`,
		);
	if (input.duration)
		notAllowed(
			'duration',
			input.duration,
			`${operation === 'extend' ? 'an extend' : 'a remix'} on ${family.name} takes no duration`,
			'Choose Provider Default.',
		);
	const aspectRatio = input.aspectRatio?.trim() || undefined;
	if (aspectRatio) {
		const allowed = family.remix && operation === 'remix' ? family.remix.aspectRatios : [];
		if (!allowed.includes(aspectRatio))
			notAllowed(
				'aspectRatio',
				aspectRatio,
				allowed.length
					? `a remix on ${family.name} allows ${list(allowed)}`
					: `an extend on ${family.name} takes only the prompt`,
			);
	}
	return {
		operation,
		videoId,
		model: family.name,
		prompt,
		aspectRatio: aspectRatio as AspectRatio | undefined,
		imageUrls: [],
		metadata: {},
	};
}

function checkDuration(check: CheckContext, input: VideoParameters, request: VideoRequest): void {
	if (input.duration === 0 || input.duration === undefined || input.duration === null) return;
	const duration = Number(input.duration);
	if (!Number.isInteger(duration) || duration <= 0)
		check.notAllowed('duration', input.duration, 'it must be a whole number of seconds');
	if (check.rule.durations && !check.rule.durations.includes(duration)) {
		check.notAllowed(
			'duration',
			duration,
			`${check.modelName} allows ${list(check.rule.durations, ' s')}`,
			'Pick one of the allowed durations; the list in the editor follows the model.',
		);
	}
	request.duration = duration;
}

type AdditionalFields = z.infer<typeof additionalFieldsSchema>;

function parseAdditionalFields(
	check: CheckContext,
	additionalFields: IDataObject | undefined,
): AdditionalFields {
	const parsed = additionalFieldsSchema.safeParse(additionalFields ?? {});
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const field = String(issue.path[0]);
	return check.notAllowed(
		field,
		(additionalFields ?? {})[field],
		`it must be ${ALLOWED_TEXT[field] ?? issue.message.toLowerCase()}`,
	);
}

/** The OpenAI-style size: given by the user, or derived from the aspect ratio. */
function checkSize(check: CheckContext, fields: AdditionalFields, request: VideoRequest): void {
	const { rule, modelName, openAiStyle } = check;
	if (fields.size !== undefined && fields.size !== '') {
		if (!openAiStyle)
			check.refuse(
				'size',
				`Size is only used on the OpenAI-compatible and Azure flavors`,
				'On toapis, choose the Aspect Ratio instead.',
			);
		const allSizes = sizesOf(rule);
		if (!/^\d+x\d+$/.test(fields.size))
			check.notAllowed('size', fields.size, 'it must be WIDTHxHEIGHT, e.g. 1280x720');
		if (allSizes && !allSizes.includes(fields.size))
			check.notAllowed('size', fields.size, `${modelName} allows ${list(allSizes)}`);
		if (
			request.aspectRatio &&
			rule.sizes &&
			!rule.sizes[request.aspectRatio].includes(fields.size)
		) {
			check.notAllowed(
				'size',
				fields.size,
				`it does not match the aspect ratio ${request.aspectRatio} (${list(rule.sizes[request.aspectRatio])})`,
			);
		}
		request.size = fields.size;
	} else if (openAiStyle && request.aspectRatio) {
		request.size = targetSize(rule, request.aspectRatio, undefined);
	}
}

function checkRemix(check: CheckContext, request: VideoRequest): void {
	if (
		check.rule.remix === 'promptOnly' &&
		(request.duration !== undefined || request.aspectRatio)
	) {
		const field = request.duration !== undefined ? 'duration' : 'aspectRatio';
		check.notAllowed(
			field,
			request.duration ?? request.aspectRatio,
			`a remix on ${check.openAiStyle ? `the ${flavorLabel(check.flavor)} flavor` : check.modelName} takes only the prompt`,
			"Clear the field; the remix keeps the original video's length and shape.",
		);
	}
}

/** Image URLs and the uploaded image: their form, type, size, count and (where the model needs it) pixel size. */
function checkReferenceImages(
	check: CheckContext,
	input: VideoParameters,
	request: VideoRequest,
): void {
	const { refuse, notAllowed, rule, modelName, flavor, openAiStyle } = check;
	const urls = splitImageUrls(input.imageUrls);
	for (const url of urls) {
		if (/^data:/i.test(url) || /^[A-Za-z0-9+/=_-]{32,}$/.test(url)) {
			refuse(
				'imageUrls',
				'Image URLs contains base64 or a data: URI, which the provider does not accept',
				'Put the image in a binary field and set "Image From Binary Field": the node uploads it for you. Or give a public http(s) URL.',
			);
		}
		if (!HTTP_URL.test(url))
			notAllowed(
				'imageUrls',
				url,
				'each image must be a public http(s) URL',
				'Separate several URLs with commas or new lines.',
			);
	}
	if (urls.length && openAiStyle) {
		refuse(
			'imageUrls',
			`The ${flavorLabel(flavor)} flavor takes the reference image as a file, not a URL`,
			'Download the image first (HTTP Request node, response as file) and set "Image From Binary Field".',
		);
	}
	request.imageUrls = urls;

	if (input.image) {
		const { data, fileName, binaryPropertyName } = input.image;
		const info = sniffImage(data);
		const allowedTypes = rule.imageTypes ?? [];
		const typeNames = allowedTypes.map((t) => t.replace('image/', '').toUpperCase());
		if (!info || !allowedTypes.includes(info.mimeType)) {
			refuse(
				'imageBinaryPropertyName',
				`The file in binary field "${binaryPropertyName}" (${fileName}) is ${info ? info.mimeType : `not an image (${input.image.mimeType || 'unknown type'})`}; ${modelName} takes ${list(typeNames)}`,
				'Convert the image, or point the field at another binary property.',
			);
		}
		if (flavor === 'toapis' && data.length > TOAPIS_UPLOAD_LIMIT_BYTES) {
			refuse(
				'imageBinaryPropertyName',
				`The image in binary field "${binaryPropertyName}" is ${(data.length / 1048576).toFixed(1)} MB; uploads are limited to 10 MB`,
				'Resize or compress the image first.',
			);
		}
		request.image = {
			data,
			fileName,
			mimeType: info!.mimeType,
			width: info!.width,
			height: info!.height,
		};
	}

	const imageCount = urls.length + (request.image ? 1 : 0);
	if (rule.maxImages !== undefined && imageCount > rule.maxImages) {
		refuse(
			urls.length ? 'imageUrls' : 'imageBinaryPropertyName',
			`${imageCount} reference images were given, but ${modelName} uses only ${rule.maxImages}`,
			'Keep one image: the provider would silently ignore the others.',
		);
	}
	if (rule.exactImageSize && request.image) {
		const wanted = targetSize(rule, request.aspectRatio, request.size);
		const actual = `${request.image.width ?? '?'}x${request.image.height ?? '?'}`;
		if (actual !== wanted) {
			refuse(
				'imageBinaryPropertyName',
				`The reference image is ${actual}, but ${modelName} needs exactly ${wanted} for this ${request.size ? 'size' : 'aspect ratio'}`,
				`Resize the image to ${wanted}, or change the aspect ratio.`,
			);
		}
	}
}

/** toapis metadata.* fields and thumbnail: only where the model takes them, and each within its rule. */
function checkMetadata(check: CheckContext, fields: AdditionalFields, request: VideoRequest): void {
	const { refuse, notAllowed, rule, modelName, flavor, openAiStyle } = check;
	const unavailable = openAiStyle ? `on the ${flavorLabel(flavor)} flavor` : `for ${modelName}`;
	if (fields.thumbnail !== undefined) {
		if (!rule.metadata)
			refuse('thumbnail', `Thumbnail is not available ${unavailable}`, 'Remove the field.');
		request.thumbnail = fields.thumbnail;
	}
	for (const field of METADATA_FIELDS) {
		const value = fields[field];
		if (value === undefined || value === '') continue;
		if (!rule.metadata)
			refuse(
				field,
				`${FIELD_NAMES[field]} is not available ${unavailable}`,
				'Remove the field, or pick a model that takes it.',
			);
		(request.metadata as IDataObject)[field] = typeof value === 'string' ? value.trim() : value;
	}
	const meta = request.metadata;
	if (meta.hd) {
		if (!rule.hd)
			notAllowed(
				'hd',
				true,
				`HD needs sora-2-pro (the model is ${request.model})`,
				'Switch HD off, or use sora-2-pro.',
			);
		if (request.duration !== undefined && rule.hdExcludedDurations?.includes(request.duration)) {
			notAllowed(
				'hd',
				true,
				`HD is not available at ${request.duration} s`,
				'Use 15 s for HD, or switch HD off.',
			);
		}
	}
	if (meta.characterTimestamps !== undefined) {
		const range = parseSecondsRange(meta.characterTimestamps);
		if (!range)
			return notAllowed(
				'characterTimestamps',
				meta.characterTimestamps,
				'it must be "start,end" in seconds, e.g. "1,3"',
			);
		if (Math.abs(range.end - range.start - 2) > 1e-9) {
			notAllowed(
				'characterTimestamps',
				meta.characterTimestamps,
				'the provider only supports 2-second segments (end = start + 2, e.g. "1,3")',
			);
		}
		meta.characterTimestamps = range.text;
		if (!meta.characterUrl)
			refuse(
				'characterTimestamps',
				'Character Timestamps needs a Character URL',
				'Set Character URL to the video the character appears in.',
			);
	}
	if (
		meta.characterUrl !== undefined &&
		!HTTP_URL.test(meta.characterUrl) &&
		!TASK_ID.test(meta.characterUrl)
	) {
		notAllowed(
			'characterUrl',
			meta.characterUrl,
			'it must be a public http(s) video URL or a character task id',
		);
	}
	if (meta.characterFromTask !== undefined && !TASK_ID.test(meta.characterFromTask)) {
		notAllowed(
			'characterFromTask',
			meta.characterFromTask,
			'it must be a task id, e.g. video_01K8SGYNNNVBQTXNR4MM964S7K',
		);
	}
}

const CLIENT_BUSINESS_ID_MAX = 255;

/**
 * toapis task webhooks: a request may only move the webhook to another path and query of the default URL set in
 * the toapis console (same scheme, host and port), which the credential repeats as its Webhook URL.
 */
function checkWebhookFields(
	check: CheckContext,
	fields: AdditionalFields,
	request: VideoRequest,
	webhookUrl = '',
): void {
	const { refuse, notAllowed, flavor, openAiStyle } = check;
	const callback = fields.callbackUrl?.trim() ?? '';
	const businessId = fields.clientBusinessId?.trim() ?? '';
	for (const [field, value] of [
		['callbackUrl', callback],
		['clientBusinessId', businessId],
	] as const) {
		if (value && openAiStyle)
			refuse(
				field,
				`${FIELD_NAMES[field]} is a toapis feature, not available on the ${flavorLabel(flavor)} flavor`,
				'Remove the field, or poll with Sora Task Status.',
			);
	}
	if (businessId) {
		if (
			businessId.length > CLIENT_BUSINESS_ID_MAX ||
			[...businessId].some((c) => c.charCodeAt(0) < 32)
		) {
			notAllowed(
				'clientBusinessId',
				businessId,
				`it must be at most ${CLIENT_BUSINESS_ID_MAX} characters without control characters`,
			);
		}
		request.clientBusinessId = businessId;
	}
	if (!callback) return;
	const base = webhookUrl.trim();
	if (!base) {
		refuse(
			'callbackUrl',
			`Callback URL is ${show(callback)}, but the Sora API credential has no Webhook URL`,
			'toapis only accepts callback URLs on the host of the default webhook URL set for your token in its console. Enter that URL as Webhook URL in the credential.',
		);
	}
	let target: URL | undefined;
	try {
		target = new URL(callback, base);
	} catch {
		target = undefined;
	}
	const origin = new URL(base).origin;
	if (!target || target.origin !== origin) {
		notAllowed(
			'callbackUrl',
			callback,
			`a callback URL may only change the path and query of the credential's Webhook URL: it must start with ${origin}/ (or be a path like /webhook/...)`,
		);
	}
	request.callbackUrl = target!.toString();
}
