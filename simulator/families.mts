/**
 * toapis' video families other than Sora, as their pages document them (docs/models.md; docs.toapis.com
 * api-reference/videos/*): each model's create body as a strict schema (unknown fields, wrong types, values outside
 * the documented sets are violations) plus the combinations the page calls wrong. Written from the provider pages,
 * independently of the node's table, so a node that sends what the provider would refuse fails its tests.
 */
import { z } from 'zod';

const url = z.string().regex(/^https?:\/\/[^\s]+$/i, 'must be a public http(s) URL');
/** Seedance 2 also takes data: URIs and asset:// ids */
const seedanceUrl = z.string().regex(/^(https?:\/\/[^\s]+|data:[a-z]+\/[\w.+-]+;base64,[A-Za-z0-9+/=]+|asset:\/\/\S+)$/i, 'must be an http(s) URL, a data: URI or asset://');
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const oneOf = (values: readonly number[]) => z.number().int().refine((v) => values.includes(v), `must be one of ${values.join(', ')}`);
const common = { model: z.string(), prompt: z.string().min(1), callback_url: url.optional(), client_business_id: z.string().optional() };
const roles = (u: z.ZodString, values: readonly [string, ...string[]]) => z.array(z.object({ url: u, role: z.enum(values) }).strict()).min(1);
const webSearch = z.array(z.object({ type: z.literal('web_search') }).strict()).length(1);

type Body = Record<string, unknown>;
interface Contract {
	schema: z.ZodTypeAny;
	/** Documented combinations the body breaks */
	rules?(body: Body): string[];
}

const count = (list: unknown, role?: string) => (Array.isArray(list) ? list.filter((x) => !role || (x as Body).role === role).length : 0);

function seedance2(model: string): Contract {
	const mini = model === 'seedance-2-mini';
	return {
		schema: z
			.object({
				...common,
				prompt: z.string().min(1).optional(),
				duration: z.number().int().refine((d) => (d >= 4 && d <= 15) || (!mini && (d === 0 || d === -1)), 'must be 4-15 (0 or -1 = auto, not mini)').optional(),
				aspect_ratio: z.enum(['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive']).optional(),
				image_urls: z.array(seedanceUrl).min(1).optional(),
				image_with_roles: roles(seedanceUrl, ['first_frame', 'last_frame', 'reference_image']).optional(),
				video_with_roles: roles(seedanceUrl, ['reference_video']).max(mini ? 3 : 100).optional(),
				audio_with_roles: roles(seedanceUrl, ['reference_audio']).max(mini ? 3 : 100).optional(),
				resolution: z.enum(model === 'seedance-2' ? ['480p', '720p', '1080p', '4k'] : ['480p', '720p']).optional(),
				generate_audio: z.boolean().optional(),
				return_last_frame: z.boolean().optional(),
				tools: webSearch.optional(),
				seed: z.number().int().optional(),
				trace_id: z.string().optional(),
			})
			.strict(),
		rules: (b) => seedanceRules(b, 9, false),
	};
}

function seedanceRules(b: Body, maxRefs: number, audioAlone: boolean): string[] {
	const p: string[] = [];
	const iwr = b.image_with_roles;
	if (b.image_urls && iwr) p.push('image_urls and image_with_roles are mutually exclusive');
	if (count(iwr, 'first_frame') > 1 || count(iwr, 'last_frame') > 1) p.push('at most one first_frame and one last_frame');
	if (count(iwr, 'reference_image') > maxRefs) p.push(`at most ${maxRefs} reference_image`);
	const frames = count(iwr, 'first_frame') + count(iwr, 'last_frame');
	const refs = count(iwr, 'reference_image') + count(b.video_with_roles) + count(b.audio_with_roles);
	if (frames && refs) p.push('frame mode and reference mode cannot be mixed');
	const visual = count(b.image_urls) + count(iwr) + count(b.video_with_roles);
	if (!audioAlone && count(b.audio_with_roles) && !visual) p.push('audio_with_roles needs at least one image or video');
	if (b.tools && visual + count(b.audio_with_roles)) p.push('tools (web_search) is for text-to-video only, not with media');
	return p;
}

const seedance25: Contract = {
	schema: z
		.object({
			...common,
			prompt: z.string().min(1).optional(),
			video_operation: z.enum(['generate', 'edit', 'extend']).optional(),
			duration: z.number().int().refine((d) => (d >= 4 && d <= 30) || d === -1, 'must be 4-30 or -1').optional(),
			aspect_ratio: z.enum(['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive']).optional(),
			image_urls: z.array(url).min(1).optional(),
			image_with_roles: roles(url, ['first_frame', 'last_frame', 'reference_image']).max(30).optional(),
			video_with_roles: roles(url, ['reference_video']).max(10).optional(),
			audio_with_roles: roles(url, ['reference_audio']).max(10).optional(),
			resolution: z.enum(['480p', '720p']).optional(),
			output_format: z.enum(['mp4', 'mov']).optional(),
			generate_audio: z.boolean().optional(),
			return_last_frame: z.boolean().optional(),
			tools: webSearch.optional(),
			trace_id: z.string().optional(),
		})
		.strict(),
	rules: (b) => {
		const p = seedanceRules(b, 30, true);
		const op = b.video_operation;
		if ((op === 'edit' || op === 'extend') && !count(b.video_with_roles)) p.push(`${op} needs at least one video_with_roles`);
		if (op === 'extend' && !(typeof b.duration === 'number' && b.duration > 0)) p.push('extend needs a positive duration');
		const fl = count(b.image_with_roles, 'first_frame') && count(b.image_with_roles, 'last_frame');
		if ((op === 'edit' || op === 'extend' || fl) && b.aspect_ratio !== undefined && b.aspect_ratio !== 'adaptive') p.push('edit, extend and first+last frame use aspect_ratio adaptive');
		if (count(b.image_urls) + count(b.image_with_roles) + count(b.video_with_roles) + count(b.audio_with_roles) > 50) p.push('at most 50 reference items');
		return p;
	},
};

function kling(model: 'kling-v3' | 'kling-v2-6'): Contract {
	const v3 = model === 'kling-v3';
	return {
		schema: z
			.object({
				...common,
				prompt: z.string().min(1).max(2500),
				mode: z.enum(['std', 'pro']).optional(),
				duration: (v3 ? int(3, 15) : oneOf([5, 10])).optional(),
				aspect_ratio: z.enum(['16:9', '9:16', '1:1']).optional(),
				reference_images: z.array(url).min(1).optional(),
				image_with_roles: roles(url, ['first_frame', 'last_frame', 'reference', 'reference_image']).optional(),
				audio: z.boolean().optional(),
				...(v3
					? { metadata: z.object({ negative_prompt: z.string().optional(), watermark: z.boolean().optional() }).strict().optional() }
					: { negative_prompt: z.string().optional(), watermark: z.boolean().optional() }),
			})
			.strict(),
		rules: (b) => {
			const p: string[] = [];
			if (!v3 && b.audio === true && b.mode !== 'pro') p.push('kling-v2-6 audio is pro mode only');
			if (count(b.image_with_roles, 'first_frame') > 1 || count(b.image_with_roles, 'last_frame') > 1) p.push('at most one first_frame and one last_frame');
			return p;
		},
	};
}

function veo(model: string): Contract {
	return {
		schema: z
			.object({
				...common,
				duration: z.literal(8).optional(),
				aspect_ratio: z.enum(['16:9', '9:16']).optional(),
				image_urls: z.array(url).min(1).optional(),
				metadata: z
					.object({
						generation_type: z.enum(['frame', 'reference']).optional(),
						resolution: z.enum(['720p', '1080p', '4k']).optional(),
						enable_gif: z.boolean().optional(),
					})
					.strict()
					.optional(),
			})
			.strict(),
		rules: (b) => {
			const meta = (b.metadata ?? {}) as Body;
			const p: string[] = [];
			if (model === 'veo3.1-quality' && meta.generation_type === 'reference') p.push('veo3.1-quality has no reference mode');
			if (meta.enable_gif === true && (meta.resolution === '1080p' || meta.resolution === '4k')) p.push('enable_gif is not available with 1080p or 4k');
			if (meta.generation_type && !count(b.image_urls)) p.push('generation_type needs image_urls');
			return p;
		},
	};
}

function veoOfficial(model: string): Contract {
	return {
		schema: z
			.object({
				...common,
				duration: oneOf([4, 6, 8]).optional(),
				size: z.enum(['16:9', '9:16']).optional(),
				resolution: z.enum(model === 'Veo3.1-lite-official' ? ['720p'] : ['720p', '1080p', '4k']).optional(),
				image_urls: z.array(url).length(1).optional(),
				metadata: z
					.object({
						generateAudio: z.boolean().optional(),
						negativePrompt: z.string().optional(),
						personGeneration: z.enum(['allow_adult', 'dont_allow']).optional(),
						lastFrame: url.optional(),
						referenceImages: z.array(url).min(1).max(3).optional(),
						compressionQuality: z.enum(['optimized', 'lossless']).optional(),
						resizeMode: z.enum(['pad', 'crop']).optional(),
					})
					.strict()
					.optional(),
			})
			.strict(),
		rules: (b) => {
			const meta = (b.metadata ?? {}) as Body;
			const p: string[] = [];
			if (meta.lastFrame && !b.image_urls) p.push('metadata.lastFrame only works together with image_urls');
			if (meta.referenceImages && b.image_urls) p.push('metadata.referenceImages is exclusive with image_urls');
			return p;
		},
	};
}

const grokRatios = z.enum(['16:9', '9:16', '3:2', '2:3', '1:1']);
function grok(model: string): Contract {
	if (model === 'grok-imagine-1.0-video')
		return {
			schema: z
				.object({ ...common, duration: int(6, 30).optional(), quality: z.enum(['480p', '720p']).optional(), aspect_ratio: grokRatios.optional(), image_urls: z.array(url).min(1).max(7).optional() })
				.strict(),
		};
	return {
		schema: z
			.object({
				...common,
				duration: int(1, 15).optional(),
				resolution: z.enum(['480p', '720p']).optional(),
				aspect_ratio: grokRatios.optional(),
				image: url.optional(),
				reference_images: z.array(url).min(1).optional(),
				...(model === 'grok-video-1.5' ? {} : {}),
			})
			.strict(),
		rules: (b) => {
			const p: string[] = [];
			if (model === 'grok-video-1.5' && (!b.image || b.reference_images)) p.push('grok-video-1.5 needs exactly one image (image-to-video only)');
			if ((b.image ? 1 : 0) + count(b.reference_images) > 8) p.push('at most 8 images in total');
			return p;
		},
	};
}

function wan(model: string): Contract {
	const flash = model === 'wan2.6-flash';
	return {
		schema: z
			.object({
				...common,
				prompt: z.string().min(1).optional(),
				image_urls: z.array(url).length(1).optional(),
				metadata: z.object({ reference_urls: z.array(url).min(1) }).strict().optional(),
				...(flash ? {} : { aspect_ratio: z.enum(['16:9', '9:16', '1:1', '4:3', '3:4']).optional(), negative_prompt: z.string().optional(), seed: z.number().int().optional(), prompt_extend: z.boolean().optional(), shot_type: z.enum(['single', 'multi']).optional() }),
				resolution: z.enum(['720p', '1080p']).optional(),
				duration: oneOf([5, 10, 15]).optional(),
				audio: z.boolean().optional(),
				watermark: z.boolean().optional(),
			})
			.strict(),
		rules: (b) => {
			const p: string[] = [];
			const refs = (b.metadata as Body | undefined)?.reference_urls;
			if (b.image_urls && refs) p.push('image_urls and metadata.reference_urls are exclusive');
			if (flash && !b.image_urls && !refs) p.push('wan2.6-flash needs image_urls or metadata.reference_urls');
			if (b.image_urls && (b.aspect_ratio !== undefined || b.shot_type !== undefined)) p.push('aspect_ratio and shot_type are for text-to-video and r2v only');
			if (!flash && !b.prompt && !b.image_urls && !refs) p.push('prompt is required for text-to-video');
			return p;
		},
	};
}

function hailuo(model: string): Contract {
	const v02 = model === 'MiniMax-Hailuo-02';
	return {
		schema: z
			.object({
				...common,
				prompt: z.string().min(1).max(2000),
				duration: oneOf([6, 10]).optional(),
				resolution: z.enum(v02 ? ['512P', '768P', '1080P'] : ['768P', '1080P']).optional(),
				image_urls: z.array(url).length(1).optional(),
				metadata: z
					.object({
						...(v02 ? { last_frame_image: url.optional() } : {}),
						prompt_optimizer: z.boolean().optional(),
						fast_pretreatment: z.boolean().optional(),
						aigc_watermark: z.boolean().optional(),
						callback_url: url.optional(),
					})
					.strict()
					.optional(),
				callback_url: z.never().optional(),
			})
			.strict(),
		rules: (b) => {
			const p: string[] = [];
			const meta = (b.metadata ?? {}) as Body;
			if (b.resolution === '1080P' && b.duration === 10) p.push('1080P supports 6 s only');
			if (model === 'MiniMax-Hailuo-2.3-Fast' && !b.image_urls) p.push('MiniMax-Hailuo-2.3-Fast needs image_urls');
			if (meta.last_frame_image && !b.image_urls) p.push('last_frame_image needs image_urls');
			if (meta.last_frame_image && b.resolution === '512P') p.push('512P is not available for first+last frame');
			return p;
		},
	};
}

const h3: Contract = {
	schema: z
		.object({
			...common,
			prompt: z.string().min(1).max(7000),
			duration: int(4, 15).optional(),
			resolution: z.enum(['2K', '768p']).optional(),
			aspect_ratio: z.enum(['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive']).optional(),
			image_urls: z.array(url).min(1).max(9).optional(),
			image_with_roles: roles(url, ['first_frame', 'last_frame', 'reference_image']).optional(),
			video_with_roles: roles(url, ['reference_video']).max(3).optional(),
			audio_with_roles: roles(url, ['reference_audio']).max(3).optional(),
			watermark: z.boolean().optional(),
		})
		.strict(),
	rules: (b) => {
		const p = seedanceRules({ ...b, tools: undefined }, 9, false);
		const media = count(b.image_urls) + count(b.image_with_roles) + count(b.video_with_roles) + count(b.audio_with_roles);
		if (media > 12) p.push('at most 12 media in total');
		if (!media && b.aspect_ratio === 'adaptive') p.push('text-to-video does not take adaptive');
		return p;
	},
};

function vidu(model: string): Contract {
	const refs = model === 'viduq3';
	return {
		schema: z
			.object({
				...common,
				prompt: z.string().min(1).max(5000),
				duration: (refs ? int(3, 16) : int(1, 16)).optional(),
				resolution: z.enum(['540p', '720p', '1080p']).optional(),
				aspect_ratio: z.string().regex(/^\d+:\d+$/, 'must be W:H').optional(),
				image_urls: z.array(url).min(1).max(refs ? 7 : 2).optional(),
				audio: z.boolean().optional(),
				seed: z.number().int().optional(),
				metadata: z
					.object({
						...(refs ? { subjects: z.array(z.object({ name: z.string(), images: z.array(url).max(3) }).strict()).max(7).optional() } : {}),
						auto_subjects: z.boolean().optional(),
						voice_id: z.string().optional(),
						audio_type: z.enum(['all', 'speech_only', 'sound-effect_only']).optional(),
						off_peak: z.boolean().optional(),
						payload: z.string().max(1048576).optional(),
						callback_url: url.optional(),
					})
					.strict()
					.optional(),
				callback_url: z.never().optional(),
			})
			.strict(),
		rules: (b) => (refs && !b.image_urls ? ['viduq3 needs image_urls (1 to 7 reference images)'] : []),
	};
}

const CONTRACTS: Record<string, Contract> = {
	'seedance-2-5': seedance25,
	'seedance-2': seedance2('seedance-2'),
	'seedance-2-fast': seedance2('seedance-2-fast'),
	'seedance-2-mini': seedance2('seedance-2-mini'),
	'kling-v3': kling('kling-v3'),
	'kling-v2-6': kling('kling-v2-6'),
	'veo3.1-fast': veo('veo3.1-fast'),
	'veo3.1-quality': veo('veo3.1-quality'),
	'veo3.1-lite': veo('veo3.1-lite'),
	'Veo3.1-quality-official': veoOfficial('Veo3.1-quality-official'),
	'Veo3.1-fast-official': veoOfficial('Veo3.1-fast-official'),
	'Veo3.1-lite-official': veoOfficial('Veo3.1-lite-official'),
	'grok-video-1.0': grok('grok-video-1.0'),
	'grok-video-1.5': grok('grok-video-1.5'),
	'grok-imagine-1.0-video': grok('grok-imagine-1.0-video'),
	'wan2.6': wan('wan2.6'),
	'wan2.6-flash': wan('wan2.6-flash'),
	'MiniMax-Hailuo-2.3': hailuo('MiniMax-Hailuo-2.3'),
	'MiniMax-Hailuo-2.3-Fast': hailuo('MiniMax-Hailuo-2.3-Fast'),
	'MiniMax-Hailuo-02': hailuo('MiniMax-Hailuo-02'),
	'MiniMax-H3': h3,
	'viduq3-pro': vidu('viduq3-pro'),
	'viduq3-turbo': vidu('viduq3-turbo'),
	viduq3: vidu('viduq3'),
};

/** Models whose completed task carries result.data[0].last_frame_url when the body asked for it */
export const LAST_FRAME_MODELS = new Set(['seedance-2', 'seedance-2-fast', 'seedance-2-mini', 'seedance-2-5']);

/** What GET /v1/models?type=video lists by default: every family above, Sora, and one model no table knows. */
export const VIDEO_MODEL_IDS = ['sora-2', 'sora-2-pro', 'sora-2-vip', 'sora-2-vvip', 'sora-2-official', ...Object.keys(CONTRACTS), 'happyhorse-1.1'];

export function familyContract(model: string): Contract | undefined {
	return CONTRACTS[model];
}

/** Grok 1.0 extend: POST /v1/videos/{id}/extend */
export const grokExtendBody = z.object({ model: z.literal('grok-video-1.0'), prompt: z.string().min(1), size: z.string().optional() }).strict();
/** Grok 1.0 remix: POST /v1/videos/{id}/remix */
export const grokRemixBody = z.object({ model: z.literal('grok-video-1.0'), prompt: z.string().min(1), size: z.string().optional(), aspect_ratio: z.enum(['16:9', '9:16']).optional() }).strict();
