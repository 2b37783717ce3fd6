import {
	DOCS,
	firstProblem,
	lastNeedsFirst,
	type FamilyModelRule,
	type FamilyView,
	type WireMedia,
} from './family';

/** Veo 3.1 (toapis channel) and Veo 3.1 Official (Vertex AI) (docs/models.md#veo). */

function framesAndReferences(view: FamilyView) {
	const frames = view.counts.first_frame + view.counts.last_frame;
	if (frames && view.counts.reference_image)
		return {
			field: 'mediaInputs',
			value: 'frames and reference images',
			allowed: `${view.model} takes either a first (and last) frame or reference images, not both`,
		};
	if (view.plainImages && frames + view.counts.reference_image)
		return {
			field: 'imageUrls',
			value: `${view.plainImages} plain image(s) and images with roles`,
			allowed: `${view.model} takes plain images or images with roles, not both`,
			hint: 'Give every image a role under Media, and clear Image URLs / Image From Binary Field.',
		};
	return undefined;
}

/** Veo 3.1: every image goes in image_urls; metadata.generation_type says frames or references. */
function veoMedia(media: WireMedia): Record<string, unknown> {
	const frames = [...media.roles.first_frame, ...media.roles.last_frame];
	const references = media.roles.reference_image;
	const out: Record<string, unknown> = {};
	if (media.plain.length) out.image_urls = media.plain;
	if (frames.length) out.image_urls = frames;
	if (media.roles.last_frame.length) out.metadata = { generation_type: 'frame' };
	if (references.length) {
		out.image_urls = references;
		out.metadata = { generation_type: 'reference' };
	}
	return out;
}

const veo = (name: string, description: string, references: boolean): FamilyModelRule => ({
	name,
	family: 'Veo 3.1',
	description,
	source: `${DOCS}/veo3/generation`,
	durations: [8],
	aspectRatios: ['16:9', '9:16'],
	resolutions: ['720p', '1080p', '4k'],
	resolutionWire: 'metadata.resolution',
	plainImages: 3,
	roles: references
		? { first_frame: 1, last_frame: 1, reference_image: 3 }
		: { first_frame: 1, last_frame: 1 },
	fields: { enableGif: { wire: 'metadata.enable_gif' } },
	callbackWire: 'callback_url',
	media: veoMedia,
	check: (view) =>
		firstProblem(
			framesAndReferences(view),
			lastNeedsFirst(view),
			view.values.enableGif === true &&
				(view.resolution === '1080p' || view.resolution === '4k') && {
					field: 'enableGif',
					value: true,
					allowed: `GIF output is not available at ${view.resolution}`,
					hint: 'Use 720p, or switch Enable GIF off.',
				},
		),
});

/** Veo 3.1 Official: first frame in image_urls, the rest under metadata in camelCase. */
function officialMedia(media: WireMedia): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const metadata: Record<string, unknown> = {};
	const first = [...media.plain, ...media.roles.first_frame];
	if (first.length) out.image_urls = first;
	if (media.roles.last_frame.length) metadata.lastFrame = media.roles.last_frame[0];
	if (media.roles.reference_image.length) metadata.referenceImages = media.roles.reference_image;
	if (Object.keys(metadata).length) out.metadata = metadata;
	return out;
}

const veoOfficial = (
	name: string,
	description: string,
	resolutions: readonly string[],
): FamilyModelRule => ({
	name,
	family: 'Veo 3.1 Official',
	description,
	source: `${DOCS}/veo3-official/generation`,
	durations: [4, 6, 8],
	aspectRatios: ['16:9', '9:16'],
	aspectWire: 'size',
	resolutions,
	plainImages: 1,
	roles: { first_frame: 1, last_frame: 1, reference_image: 3 },
	fields: {
		generateAudio: { wire: 'metadata.generateAudio' },
		negativePrompt: { wire: 'metadata.negativePrompt' },
		personGeneration: {
			wire: 'metadata.personGeneration',
			values: ['allow_adult', 'dont_allow'],
		},
		compressionQuality: {
			wire: 'metadata.compressionQuality',
			values: ['optimized', 'lossless'],
		},
		resizeMode: { wire: 'metadata.resizeMode', values: ['pad', 'crop'] },
	},
	callbackWire: 'callback_url',
	media: officialMedia,
	check: (view) => {
		const first = view.counts.first_frame + view.plainImages;
		return firstProblem(
			first > 1 && {
				field: 'mediaInputs',
				value: `${first} first-frame images`,
				allowed: `${view.model} uses only one first-frame image`,
			},
			view.counts.last_frame > 0 &&
				!first && {
					field: 'mediaInputs',
					value: 'a last frame without a first frame',
					allowed: `${view.model} takes a last frame only together with a first frame`,
				},
			// image_urls would win and the references be ignored (page's note): refuse rather than pay for that.
			view.counts.reference_image > 0 &&
				first > 0 && {
					field: 'mediaInputs',
					value: 'a first frame and reference images',
					allowed: `${view.model} ignores reference images when a first frame is given`,
					hint: 'Keep the first frame, or the reference images.',
				},
			view.values.resizeMode !== undefined &&
				!first && {
					field: 'resizeMode',
					value: view.values.resizeMode,
					allowed: 'Resize Mode applies to image-to-video only (a first frame)',
				},
		);
	},
});

export const VEO: FamilyModelRule[] = [
	veo('veo3.1-fast', '8 s, 720p to 4k, frames or references', true),
	veo('veo3.1-quality', '8 s, 720p to 4k, frames (no reference mode)', false),
	veo('veo3.1-lite', '8 s, 720p to 4k, frames or references', true),
	veoOfficial('Veo3.1-quality-official', 'Vertex AI: 4, 6 or 8 s, audio, negative prompt', [
		'720p',
		'1080p',
		'4k',
	]),
	veoOfficial('Veo3.1-fast-official', 'Vertex AI, faster: 4, 6 or 8 s, audio', [
		'720p',
		'1080p',
		'4k',
	]),
	// The page describes lite only as "Lite 720p".
	veoOfficial('Veo3.1-lite-official', 'Vertex AI, 720p: 4, 6 or 8 s, audio', ['720p']),
];
