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

/** What a piece of media is for, in toapis' words (image_with_roles, video_with_roles, audio_with_roles). */
export type MediaRole =
	| 'first_frame'
	| 'last_frame'
	| 'reference_image'
	| 'reference_video'
	| 'reference_audio';

export type MediaKind = 'image' | 'video' | 'audio';

/** One input of a family model: a URL, or a file the node uploads first (its URL is filled in then). */
export interface MediaInput {
	/** `image`: a plain image from Image URLs / Image From Binary Field, sent the family's plain way */
	role: MediaRole | 'image';
	kind: MediaKind;
	url?: string;
	file?: MediaFile;
}

/** The part of a request that only models of a toapis family (not Sora) have; the family's table row maps it. */
export interface FamilyRequest {
	aspectRatio?: string;
	resolution?: string;
	/** Seedance 2.5: generate (not sent), edit or extend */
	videoOperation?: string;
	/** Family options by their node parameter name (generateAudio, seed, ...), already checked */
	values: Record<string, string | number | boolean>;
	media: MediaInput[];
}

export interface VideoRequest {
	operation: 'generate' | 'remix' | 'extend';
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
	/** toapis families: what the family's table row puts on the wire */
	family?: FamilyRequest;
	/** Extra Body Fields (JSON): merged into the create body, never over a field the node sets */
	extraBody?: Record<string, unknown>;
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
