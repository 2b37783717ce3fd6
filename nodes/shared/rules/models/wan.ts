import {
	DOCS,
	firstProblem,
	type FamilyModelRule,
	type FamilyView,
	type WireMedia,
} from './family';

/** Wan 2.6 and Wan 2.6 Flash (docs/models.md#wan). The server routes by input: reference videos → r2v, image → i2v. */

function wanMedia(media: WireMedia): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const images = [...media.plain, ...media.roles.first_frame];
	if (images.length) out.image_urls = images;
	if (media.roles.reference_video.length)
		out.metadata = { reference_urls: media.roles.reference_video };
	return out;
}

function imageOrVideos(view: FamilyView) {
	const images = view.plainImages + view.counts.first_frame;
	if (images > 1)
		return {
			field: 'mediaInputs',
			value: `${images} images`,
			allowed: `${view.model} takes one image (the first frame)`,
		};
	if (images && view.counts.reference_video)
		return {
			field: 'mediaInputs',
			value: 'an image and reference videos',
			allowed: `${view.model} takes an image or reference videos, not both`,
		};
	return undefined;
}

export const WAN: FamilyModelRule[] = [
	{
		name: 'wan2.6',
		family: 'Wan 2.6',
		description: '5, 10 or 15 s, 720p or 1080p; text, image or reference videos',
		source: `${DOCS}/wan2.6/generation`,
		durations: [5, 10, 15],
		aspectRatios: ['16:9', '9:16', '1:1', '4:3', '3:4'],
		resolutions: ['720p', '1080p'],
		plainImages: 1,
		roles: { first_frame: 1, reference_video: Infinity },
		fields: {
			generateAudio: { wire: 'audio' },
			negativePrompt: { wire: 'negative_prompt' },
			seed: { wire: 'seed' },
			promptExtend: { wire: 'prompt_extend' },
			shotType: { wire: 'shot_type', values: ['single', 'multi'] },
			watermark: { wire: 'watermark' },
		},
		callbackWire: 'callback_url',
		media: wanMedia,
		check: (view) => {
			const image = view.plainImages + view.counts.first_frame > 0;
			return firstProblem(
				imageOrVideos(view),
				image &&
					view.aspectRatio !== undefined && {
						field: 'aspectRatio',
						value: view.aspectRatio,
						allowed:
							'wan2.6 takes an aspect ratio for text-to-video and reference videos only; image-to-video follows the image',
						hint: 'Choose Provider Default.',
					},
				image &&
					view.values.shotType !== undefined && {
						field: 'shotType',
						value: view.values.shotType,
						allowed: 'Shot Type applies to text-to-video and reference videos only',
					},
			);
		},
	},
	{
		name: 'wan2.6-flash',
		family: 'Wan 2.6',
		description: 'Faster: 5, 10 or 15 s from an image or reference videos (no text-to-video)',
		source: `${DOCS}/wan2.6-flash/generation`,
		durations: [5, 10, 15],
		resolutions: ['720p', '1080p'],
		plainImages: 1,
		roles: { first_frame: 1, reference_video: Infinity },
		fields: { generateAudio: { wire: 'audio' }, watermark: { wire: 'watermark' } },
		callbackWire: 'callback_url',
		media: wanMedia,
		check: (view) =>
			firstProblem(
				imageOrVideos(view),
				view.plainImages + view.counts.first_frame + view.counts.reference_video === 0 && {
					field: 'mediaInputs',
					value: 'no image or video',
					allowed: 'wan2.6-flash needs an image or reference videos (a prompt alone is an error)',
					hint: 'Add a first-frame image or a reference video under Media.',
				},
			),
	},
];
