import { DOCS, range, type FamilyModelRule, type WireMedia } from './family';

/** Grok Video 1.0, 1.5 and Grok Imagine 1.0 Video (docs/models.md#grok). */

const RATIOS = ['16:9', '9:16', '3:2', '2:3', '1:1'] as const;

/** Grok 1.0 / 1.5: one main image in `image`, the others in `reference_images`. */
function grokMedia(media: WireMedia): Record<string, unknown> {
	const main = [...media.plain, ...media.roles.first_frame];
	const out: Record<string, unknown> = {};
	if (main.length) out.image = main[0];
	if (media.roles.reference_image.length) out.reference_images = media.roles.reference_image;
	return out;
}

export const GROK: FamilyModelRule[] = [
	{
		name: 'grok-video-1.0',
		family: 'Grok Video',
		description: '1–15 s, 480p or 720p, images; remix and extend',
		source: `${DOCS}/grok-video/generation`,
		durations: range(1, 15),
		aspectRatios: RATIOS,
		resolutions: ['480p', '720p'],
		plainImages: 1,
		roles: { first_frame: 1, reference_image: 8 },
		maxMedia: 8,
		fields: {},
		remix: { aspectRatios: ['16:9', '9:16'] },
		extend: true,
		callbackWire: 'callback_url',
		media: grokMedia,
		check: (view) =>
			view.plainImages && view.counts.first_frame
				? {
						field: 'imageUrls',
						value: 'a plain image and a first frame',
						allowed: 'grok-video-1.0 takes one main image',
						hint: 'Keep one of them.',
					}
				: undefined,
	},
	{
		name: 'grok-video-1.5',
		family: 'Grok Video',
		description: 'Image-to-video only: 1–15 s from exactly one first frame',
		source: `${DOCS}/grok-video-1.5/generation`,
		durations: range(1, 15),
		aspectRatios: RATIOS,
		resolutions: ['480p', '720p'],
		plainImages: 1,
		roles: { first_frame: 1 },
		fields: {},
		callbackWire: 'callback_url',
		media: grokMedia,
		check: (view) => {
			const images = view.plainImages + view.counts.first_frame;
			return images === 1
				? undefined
				: {
						field: 'mediaInputs',
						value: `${images} images`,
						allowed: 'grok-video-1.5 needs exactly one first-frame image (no text-to-video)',
						hint: 'Give one image: Media with role First Frame, or Image URLs.',
					};
		},
	},
	{
		name: 'grok-imagine-1.0-video',
		family: 'Grok Imagine',
		description: '6–30 s, 480p (default) or 720p, up to 7 images',
		source: `${DOCS}/grok-imagine-1.0-video/generation`,
		durations: range(6, 30),
		aspectRatios: ['16:9', '9:16', '1:1', '3:2', '2:3'],
		resolutions: ['480p', '720p'],
		resolutionWire: 'quality',
		plainImages: 7,
		roles: { first_frame: 1, reference_image: 7 },
		maxMedia: 7,
		fields: {},
		callbackWire: 'callback_url',
		media: (media) => {
			const urls = [...media.plain, ...media.roles.first_frame, ...media.roles.reference_image];
			return urls.length ? { image_urls: urls } : {};
		},
	},
];
