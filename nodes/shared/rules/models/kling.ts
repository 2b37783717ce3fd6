import { DOCS, lastNeedsFirst, range, withRoles, type FamilyModelRule } from './family';

/** Kling v3 and v2.6 (docs/models.md#kling). Resolution is Kling's mode: std = 720p, pro = 1080p. */

const MODES = { std: 'Std (720p)', pro: 'Pro (1080p)' } as const;

const kling = (
	name: string,
	description: string,
	durations: readonly number[],
	where: 'top' | 'metadata',
): FamilyModelRule => ({
	name,
	family: name === 'kling-v3' ? 'Kling v3' : 'Kling v2.6',
	description,
	source: `${DOCS}/${name === 'kling-v3' ? 'kling-v3' : 'kling-2-6'}/generation`,
	durations,
	aspectRatios: ['16:9', '9:16', '1:1'],
	resolutions: ['std', 'pro'],
	resolutionWire: 'mode',
	resolutionLabels: MODES,
	// No count of reference images is documented.
	roles: { first_frame: 1, last_frame: 1, reference_image: Infinity },
	fields: {
		generateAudio: { wire: 'audio' },
		negativePrompt: { wire: where === 'top' ? 'negative_prompt' : 'metadata.negative_prompt' },
		watermark: { wire: where === 'top' ? 'watermark' : 'metadata.watermark' },
	},
	maxPromptChars: 2500,
	callbackWire: 'callback_url',
	// Roles are declared, never inferred: reference images go with role "reference_image" too.
	media: (media) => withRoles(media),
	check: (view) =>
		lastNeedsFirst(view) ??
		(name === 'kling-v2-6' && view.values.generateAudio === true && view.resolution !== 'pro'
			? {
					field: 'generateAudio',
					value: true,
					allowed: 'kling-v2-6 makes audio only in pro mode (Resolution Pro)',
					hint: 'Set Resolution to Pro (1080p), or switch Generate Audio off.',
				}
			: undefined),
});

export const KLING: FamilyModelRule[] = [
	kling('kling-v3', '3–15 s, std 720p or pro 1080p, audio', range(3, 15), 'metadata'),
	kling('kling-v2-6', '5 or 10 s, std or pro; audio in pro only', [5, 10], 'top'),
];
