import type { FamilyField } from './family';

/** How the editor shows each family field and how refusals name it (Additional Fields). */
export interface FieldSpec {
	label: string;
	kind: 'boolean' | 'string' | 'number' | 'options';
	/** What the field does; the editor adds which models take it, from the table */
	description: string;
	placeholder?: string;
}

export const FAMILY_FIELDS: Record<FamilyField, FieldSpec> = {
	generateAudio: {
		label: 'Generate Audio',
		kind: 'boolean',
		description: 'Whether to generate sound with the video',
	},
	returnLastFrame: {
		label: 'Return Last Frame',
		kind: 'boolean',
		description:
			'Whether the provider also returns the last frame as an image (to chain videos). With Download Video on, it arrives in the binary field "lastFrame"',
	},
	negativePrompt: {
		label: 'Negative Prompt',
		kind: 'string',
		description: 'What the video should not show',
		placeholder: 'blurry, text, watermark',
	},
	seed: { label: 'Seed', kind: 'number', description: 'A seed for repeatable results' },
	watermark: {
		label: 'Watermark',
		kind: 'boolean',
		description: 'Whether to add the provider watermark',
	},
	webSearch: {
		label: 'Web Search',
		kind: 'boolean',
		description:
			'Whether the model may search the web for the prompt (text-to-video only: not with any media)',
	},
	outputFormat: { label: 'Output Format', kind: 'options', description: 'The video container' },
	traceId: {
		label: 'Trace ID',
		kind: 'string',
		description: 'Your own tracking ID, kept with the task',
	},
	promptOptimizer: {
		label: 'Prompt Optimizer',
		kind: 'boolean',
		description: 'Whether the provider rewrites the prompt for better results (default on)',
	},
	fastPretreatment: {
		label: 'Fast Pretreatment',
		kind: 'boolean',
		description: 'Whether to shorten the prompt optimisation step',
	},
	promptExtend: {
		label: 'Prompt Extend',
		kind: 'boolean',
		description: 'Whether the provider enriches the prompt (default on)',
	},
	shotType: {
		label: 'Shot Type',
		kind: 'options',
		description: 'One shot or several (text-to-video and reference videos)',
	},
	enableGif: {
		label: 'Enable GIF',
		kind: 'boolean',
		description: 'Whether to also output a GIF (720p only)',
	},
	personGeneration: {
		label: 'Person Generation',
		kind: 'options',
		description: 'Whether people may appear',
	},
	compressionQuality: {
		label: 'Compression Quality',
		kind: 'options',
		description: 'How the video is compressed',
	},
	resizeMode: {
		label: 'Resize Mode',
		kind: 'options',
		description: 'How the first-frame image is fitted (image-to-video)',
	},
	audioType: {
		label: 'Audio Type',
		kind: 'options',
		description: 'Which sound to make when audio is on',
	},
	offPeak: {
		label: 'Off Peak',
		kind: 'boolean',
		description: 'Whether to render off-peak: cheaper, done within 48 h or cancelled and refunded',
	},
};
