/**
 * The documented request contract of each endpoint (docs/providers.md), checked strictly:
 * unknown fields, wrong types and values outside the documented sets are violations. The simulator
 * answers a violation with the provider's 400 and records it, so tests can assert "no violations".
 */
import { z } from 'zod';

const httpUrl = z
	.string()
	.regex(/^https?:\/\/[^\s]+$/i, 'must be a public http(s) URL (base64 and data: URIs are not supported)');
const timestamps = z.string().regex(/^\d+(\.\d+)?,\d+(\.\d+)?$/, 'must be "start,end" in seconds');

export const STYLES = ['thanksgiving', 'comic', 'news', 'selfie', 'nostalgic', 'anime'] as const;

const toapisMetadata = z
	.object({
		n: z.number().int().min(1).max(4).optional(),
		watermark: z.boolean().optional(),
		hd: z.boolean().optional(),
		private: z.boolean().optional(),
		style: z.enum(STYLES).optional(),
		storyboard: z.boolean().optional(),
		character_url: z.string().min(1).optional(),
		character_timestamps: timestamps.optional(),
		character_create: z.boolean().optional(),
		character_from_task: z.string().min(1).optional(),
	})
	.strict();

export const toapisVideoBody = z
	.object({
		model: z.string().min(1),
		prompt: z.string().min(1),
		duration: z.number().int().positive().optional(),
		aspect_ratio: z.enum(['16:9', '9:16']).optional(),
		image_urls: z.array(httpUrl).min(1).optional(),
		thumbnail: z.boolean().optional(),
		metadata: toapisMetadata.optional(),
		callback_url: httpUrl.optional(),
		client_business_id: z.string().optional(),
	})
	.strict();

export const toapisCharacterBody = z
	.object({
		model: z.string().min(1),
		timestamps,
		prompt: z.string().min(1).optional(),
		url: httpUrl.optional(),
		from_task: z.string().min(1).optional(),
	})
	.strict()
	.refine((body) => (body.url === undefined) !== (body.from_task === undefined), {
		message: 'exactly one of url or from_task is required',
	});

export const toapisRemixBody = z
	.object({
		model: z.string().min(1),
		prompt: z.string().min(1),
		duration: z.number().int().positive().optional(),
		aspect_ratio: z.enum(['16:9', '9:16', '1:1']).optional(),
	})
	.strict();

export const openAiVideoBody = z
	.object({
		model: z.string().min(1).optional(),
		// OpenAI's published spec: at most 32,000 characters
		prompt: z.string().min(1).max(32_000),
		seconds: z.string().regex(/^\d+$/, 'must be a string of digits, e.g. "8"').optional(),
		size: z.string().regex(/^\d+x\d+$/, 'must be WIDTHxHEIGHT').optional(),
		input_reference: z.unknown().optional(),
	})
	.strict();

export const openAiRemixBody = z.object({ prompt: z.string().min(1).max(32_000), model: z.string().optional() }).strict();

/** Model rules a real toapis host enforces; a violation here means the node let a wrong combination through. */
export function toapisModelViolations(body: z.infer<typeof toapisVideoBody>): string[] {
	const problems: string[] = [];
	const durations: Record<string, number[]> = {
		'sora-2': [10, 15],
		'sora-2-pro': [15, 25],
		'sora-2-vvip': [4, 8, 12],
		'sora-2-official': [4, 8, 12],
	};
	const allowed = durations[body.model];
	if (allowed && body.duration !== undefined && !allowed.includes(body.duration)) {
		problems.push(`duration ${body.duration} is not allowed for ${body.model} (allowed: ${allowed.join(', ')})`);
	}
	if (body.metadata?.hd && (body.model !== 'sora-2-pro' || body.duration === 25)) {
		problems.push('metadata.hd needs sora-2-pro and a duration other than 25');
	}
	if (body.model === 'sora-2-official') {
		if (body.metadata) problems.push('sora-2-official takes no metadata');
		if (body.thumbnail !== undefined) problems.push('sora-2-official takes no thumbnail');
		if ((body.image_urls?.length ?? 0) > 1) problems.push('sora-2-official uses only one image_urls entry');
	}
	if (body.metadata?.n !== undefined && (body.metadata.n < 1 || body.metadata.n > 4)) problems.push('metadata.n must be 1-4');
	return problems;
}

export function describeZodError(error: z.ZodError): string {
	return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}
