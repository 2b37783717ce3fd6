import { DOCS, firstProblem, range, type FamilyModelRule, type FamilyView } from './family';

/** Vidu Q3: pro and turbo (text, first frame, first + last frame) and viduq3 (reference images) (docs/models.md#vidu). */

const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', '3:2', '2:3'] as const;

const FIELDS = {
	generateAudio: { wire: 'audio' },
	seed: { wire: 'seed' },
	audioType: { wire: 'metadata.audio_type', values: ['all', 'speech_only', 'sound-effect_only'] },
	offPeak: { wire: 'metadata.off_peak' },
} as const;

function audioTypeNeedsAudio(view: FamilyView) {
	if (view.values.audioType !== undefined && view.values.generateAudio === false)
		return {
			field: 'audioType',
			value: view.values.audioType,
			allowed: 'Audio Type applies only when audio is on',
			hint: 'Switch Generate Audio on, or remove Audio Type.',
		};
	return undefined;
}

const fast = (name: string, description: string): FamilyModelRule => ({
	name,
	family: 'Vidu Q3',
	description,
	source: `${DOCS}/viduq3/generation`,
	durations: range(1, 16),
	aspectRatios: RATIOS,
	resolutions: ['540p', '720p', '1080p'],
	plainImages: 2,
	roles: { first_frame: 1, last_frame: 1 },
	fields: FIELDS,
	maxPromptChars: 5000,
	callbackWire: 'metadata.callback_url',
	// none = text-to-video, 1 = first frame, 2 = first + last frame
	media: (media) => {
		const urls = [...media.plain, ...media.roles.first_frame, ...media.roles.last_frame];
		return urls.length ? { image_urls: urls } : {};
	},
	check: (view) =>
		firstProblem(
			view.plainImages > 0 &&
				view.counts.first_frame + view.counts.last_frame > 0 && {
					field: 'imageUrls',
					value: 'plain images and frames with roles',
					allowed: `${view.model} takes the frames one way: Image URLs (first, last) or Media with roles`,
				},
			view.counts.last_frame > 0 &&
				!view.counts.first_frame && {
					field: 'mediaInputs',
					value: 'a last frame without a first frame',
					allowed: `${view.model} takes a last frame only together with a first frame`,
				},
			audioTypeNeedsAudio(view),
		),
});

export const VIDU: FamilyModelRule[] = [
	fast('viduq3-pro', '1–16 s, 540p to 1080p, audio, first + last frame'),
	fast('viduq3-turbo', 'Faster, half the price of pro: 1–16 s, 540p to 1080p'),
	{
		name: 'viduq3',
		family: 'Vidu Q3',
		description: 'Reference images (1 to 7, required): 3–16 s, 540p to 1080p',
		source: `${DOCS}/viduq3/generation`,
		durations: range(3, 16),
		aspectRatios: RATIOS,
		resolutions: ['540p', '720p', '1080p'],
		plainImages: 7,
		roles: { reference_image: 7 },
		maxMedia: 7,
		fields: FIELDS,
		maxPromptChars: 5000,
		callbackWire: 'metadata.callback_url',
		media: (media) => {
			const urls = [...media.plain, ...media.roles.reference_image];
			return urls.length ? { image_urls: urls } : {};
		},
		check: (view) =>
			firstProblem(
				view.plainImages + view.counts.reference_image === 0 && {
					field: 'mediaInputs',
					value: 'no image',
					allowed: 'viduq3 needs 1 to 7 reference images',
					hint: 'Add reference images (Media, role Reference Image), or use viduq3-pro for text-to-video.',
				},
				audioTypeNeedsAudio(view),
			),
	},
];
