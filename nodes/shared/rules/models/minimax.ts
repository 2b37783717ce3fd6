import {
	DOCS,
	firstProblem,
	framesOrReferences,
	lastNeedsFirst,
	range,
	withRoles,
	type FamilyModelRule,
	type FamilyView,
	type WireMedia,
} from './family';

/** MiniMax Hailuo 02 / 2.3 / 2.3-Fast and MiniMax H3 (docs/models.md#minimax). */

function hailuoMedia(media: WireMedia): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const first = [...media.plain, ...media.roles.first_frame];
	if (first.length) out.image_urls = first;
	if (media.roles.last_frame.length) out.metadata = { last_frame_image: media.roles.last_frame[0] };
	return out;
}

function hailuoCheck(view: FamilyView) {
	const images = view.plainImages + view.counts.first_frame;
	return firstProblem(
		images > 1 && {
			field: 'mediaInputs',
			value: `${images} first-frame images`,
			allowed: `${view.model} takes one first-frame image`,
		},
		view.resolution === '1080P' &&
			view.duration === 10 && {
				field: 'duration',
				value: 10,
				allowed: `${view.model} makes 1080P videos of 6 s only`,
				hint: 'Choose 6 s, or 768P.',
			},
		view.model === 'MiniMax-Hailuo-2.3-Fast' &&
			!images && {
				field: 'mediaInputs',
				value: 'no image',
				allowed: 'MiniMax-Hailuo-2.3-Fast is image-to-video only: it needs a first-frame image',
			},
		view.counts.last_frame > 0 &&
			!images && {
				field: 'mediaInputs',
				value: 'a last frame without a first frame',
				allowed: `${view.model} takes a last frame only together with a first frame`,
			},
		view.counts.last_frame > 0 &&
			view.resolution === '512P' && {
				field: 'resolution',
				value: '512P',
				allowed: 'first + last frame is not available at 512P',
			},
	);
}

const hailuo = (
	name: string,
	description: string,
	resolutions: readonly string[],
	lastFrame: boolean,
): FamilyModelRule => ({
	name,
	family: 'MiniMax Hailuo',
	description,
	source: `${DOCS}/${name === 'MiniMax-Hailuo-02' ? 'minimax-hailuo' : 'minimax-hailuo-2.3'}/generation`,
	durations: [6, 10],
	resolutions,
	plainImages: 1,
	roles: lastFrame ? { first_frame: 1, last_frame: 1 } : { first_frame: 1 },
	fields: {
		promptOptimizer: { wire: 'metadata.prompt_optimizer' },
		fastPretreatment: { wire: 'metadata.fast_pretreatment' },
		watermark: { wire: 'metadata.aigc_watermark' },
	},
	maxPromptChars: 2000,
	callbackWire: 'metadata.callback_url',
	media: hailuoMedia,
	check: hailuoCheck,
});

export const MINIMAX: FamilyModelRule[] = [
	hailuo('MiniMax-Hailuo-2.3', '6 or 10 s (1080P: 6 s), 768P or 1080P', ['768P', '1080P'], false),
	hailuo(
		'MiniMax-Hailuo-2.3-Fast',
		'Image-to-video: 6 or 10 s, 768P or 1080P',
		['768P', '1080P'],
		false,
	),
	hailuo(
		'MiniMax-Hailuo-02',
		'6 or 10 s, 512P to 1080P, first + last frame',
		['512P', '768P', '1080P'],
		true,
	),
	{
		name: 'MiniMax-H3',
		family: 'MiniMax H3',
		description: '4–15 s, 2K or 768p, frames or image/video/audio references',
		source: `${DOCS}/minimax-h3/generation`,
		durations: range(4, 15),
		aspectRatios: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive'],
		resolutions: ['2K', '768p'],
		plainImages: 9,
		roles: {
			first_frame: 1,
			last_frame: 1,
			reference_image: 9,
			reference_video: 3,
			reference_audio: 3,
		},
		maxMedia: 12,
		fields: { watermark: { wire: 'watermark' } },
		maxPromptChars: 7000,
		callbackWire: 'callback_url',
		media: (media) => withRoles(media, { video: true, audio: true }),
		check: (view) => {
			const media = Object.values(view.counts).reduce((a, b) => a + b, 0) + view.plainImages;
			const visual = media - view.counts.reference_audio;
			return firstProblem(
				framesOrReferences(view),
				lastNeedsFirst(view),
				view.counts.reference_audio > 0 &&
					!visual && {
						field: 'mediaInputs',
						value: 'reference audio alone',
						allowed: 'MiniMax-H3 takes reference audio only with a reference image or video',
					},
				!media &&
					view.aspectRatio === 'adaptive' && {
						field: 'aspectRatio',
						value: 'adaptive',
						allowed: 'MiniMax-H3 text-to-video needs a fixed aspect ratio',
						hint: 'Choose 16:9 or another ratio, or add media.',
					},
			);
		},
	},
];
