/** What the nodes ask a provider for, once validated (rules/) and before a flavor adapter shapes it (provider/). */

export type AspectRatio = '16:9' | '9:16';

export interface MediaFile {
	data: Buffer;
	mimeType: string;
	fileName: string;
}

export interface ImageFile extends MediaFile {
	width?: number;
	height?: number;
}

export interface VideoMetadata {
	n?: number;
	watermark?: boolean;
	hd?: boolean;
	private?: boolean;
	style?: string;
	storyboard?: boolean;
	characterUrl?: string;
	characterTimestamps?: string;
	characterCreate?: boolean;
	characterFromTask?: string;
}

export interface VideoRequest {
	operation: 'generate' | 'remix';
	/** The video a remix starts from */
	videoId?: string;
	model: string;
	prompt: string;
	duration?: number;
	aspectRatio?: AspectRatio;
	/** OpenAI-style size, derived from the aspect ratio unless given */
	size?: string;
	imageUrls: string[];
	image?: ImageFile;
	thumbnail?: boolean;
	metadata: VideoMetadata;
	/** toapis: where this task's webhook goes (an absolute URL on the credential's webhook host) */
	callbackUrl?: string;
	/** toapis: the user's own id, echoed in status reads and webhook events */
	clientBusinessId?: string;
}

export interface CharacterRequest {
	model: string;
	timestamps: string;
	/** Optional guidance for the extraction */
	prompt?: string;
	url?: string;
	fromTask?: string;
	video?: MediaFile;
}
