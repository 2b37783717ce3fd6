import {
	DOCS,
	firstProblem,
	framesOrReferences,
	lastNeedsFirst,
	range,
	withRoles,
	type FamilyModelRule,
	type FamilyView,
} from './family';

/** Seedance 2 and 2.5 (docs/models.md#seedance). */

const WIDE_RATIOS = ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16', 'adaptive'] as const;

const SEEDANCE_FIELDS = {
	generateAudio: { wire: 'generate_audio' },
	returnLastFrame: { wire: 'return_last_frame' },
	webSearch: { wire: 'tools' },
	traceId: { wire: 'trace_id' },
} as const;

/** Web search is for text-to-video only: not with any media (both pages). */
function webSearchAlone(view: FamilyView) {
	const media = Object.values(view.counts).reduce((a, b) => a + b, 0) + view.plainImages;
	if (view.values.webSearch === true && media)
		return {
			field: 'webSearch',
			value: true,
			allowed: `${view.model} searches the web only for text-to-video, without images, videos or audio`,
			hint: 'Switch Web Search off, or remove the media.',
		};
	return undefined;
}

/** Reference audio needs at least one image or video beside it (Seedance 2). */
function audioNeedsVisual(view: FamilyView) {
	const visual =
		view.plainImages +
		view.counts.first_frame +
		view.counts.last_frame +
		view.counts.reference_image +
		view.counts.reference_video;
	if (view.counts.reference_audio && !visual)
		return {
			field: 'mediaInputs',
			value: 'reference audio alone',
			allowed: `${view.model} takes reference audio only together with at least one image or video`,
			hint: 'Add a reference image or video, or use seedance-2-5, which takes audio alone.',
		};
	return undefined;
}

const seedance2 = (
	name: string,
	description: string,
	resolutions: readonly string[],
	mini: boolean,
): FamilyModelRule => ({
	name,
	family: 'Seedance 2',
	description,
	source: `${DOCS}/seedance-2/generation`,
	durations: range(4, 15),
	autoDuration: !mini,
	aspectRatios: WIDE_RATIOS,
	resolutions,
	plainImages: 9,
	roles: {
		first_frame: 1,
		last_frame: 1,
		reference_image: 9,
		// "depends on the routed channel" except mini (≤3): the node checks only what is documented
		reference_video: mini ? 3 : 10,
		reference_audio: mini ? 3 : 10,
	},
	audioDataUri: true,
	fields: { ...SEEDANCE_FIELDS, seed: { wire: 'seed' } },
	callbackWire: 'callback_url',
	media: (media) => withRoles(media, { video: true, audio: true }),
	check: (view) =>
		firstProblem(
			framesOrReferences(view),
			lastNeedsFirst(view),
			audioNeedsVisual(view),
			webSearchAlone(view),
		),
});

export const SEEDANCE: FamilyModelRule[] = [
	{
		name: 'seedance-2-5',
		family: 'Seedance 2.5',
		description: '4–30 s or auto, up to 720p, audio, edit and extend, last frame',
		source: `${DOCS}/seedance-2-5/generation`,
		durations: range(4, 30),
		autoDuration: true,
		aspectRatios: WIDE_RATIOS,
		resolutions: ['480p', '720p'],
		plainImages: 30,
		roles: {
			first_frame: 1,
			last_frame: 1,
			reference_image: 30,
			reference_video: 10,
			reference_audio: 10,
		},
		maxMedia: 50,
		fields: { ...SEEDANCE_FIELDS, outputFormat: { wire: 'output_format', values: ['mp4', 'mov'] } },
		videoOperations: ['generate', 'edit', 'extend'],
		callbackWire: 'callback_url',
		media: (media) => withRoles(media, { video: true, audio: true }),
		check: (view) => {
			const { videoOperation: op, counts } = view;
			const editing = op === 'edit' || op === 'extend';
			const frames = counts.first_frame > 0 && counts.last_frame > 0;
			return firstProblem(
				framesOrReferences(view),
				lastNeedsFirst(view),
				webSearchAlone(view),
				editing &&
					!counts.reference_video && {
						field: 'videoOperation',
						value: op,
						allowed: `${op} needs at least one reference video (Media, role Reference Video)`,
					},
				op === 'extend' &&
					!(view.duration && view.duration > 0) && {
						field: 'duration',
						value: view.duration ?? 'Provider Default',
						allowed: 'extend needs a positive duration (4–30 s)',
					},
				(editing || frames) &&
					view.aspectRatio !== undefined &&
					view.aspectRatio !== 'adaptive' && {
						field: 'aspectRatio',
						value: view.aspectRatio,
						allowed: `${editing ? op : 'first + last frame'} on seedance-2-5 takes the aspect ratio "adaptive"`,
						hint: 'Choose Adaptive, or Provider Default.',
					},
			);
		},
	},
	seedance2(
		'seedance-2',
		'4–15 s or auto, up to 4k, audio, last frame',
		['480p', '720p', '1080p', '4k'],
		false,
	),
	seedance2('seedance-2-fast', 'Faster: 4–15 s or auto, up to 720p', ['480p', '720p'], false),
	seedance2(
		'seedance-2-mini',
		'4–15 s, up to 720p, at most 3 references of each',
		['480p', '720p'],
		true,
	),
];
