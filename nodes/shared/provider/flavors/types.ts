import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';
import type { ApiFlavor } from '../../domain/api';
import type { CharacterRequest, ImageFile, MediaFile, VideoRequest } from '../../domain/requests';
import type { Balance } from '../../domain/balance';
import type { SoraTask, TaskKind } from '../../domain/task';

/** A provider call described independently of how it is sent; paths are relative to the API root. */
export interface ApiCall {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject | FormData;
	qs?: IDataObject;
}

/** Where a finished task's video (or thumbnail) can be fetched. */
export interface MediaSource {
	/** A provider endpoint that needs the API key (OpenAI-style /content) */
	call?: ApiCall;
	/** A public CDN URL; fetched without the API key */
	url?: string;
	fileExtension: string;
	mimeType: string;
}

/**
 * The one seam for provider differences: each API flavor builds its requests and turns its responses
 * into SoraTask. Everything else (transport, polling, binary, nodes) is flavor-blind.
 */
export interface FlavorAdapter {
	flavor: ApiFlavor;
	/** Human name for messages */
	label: string;
	kinds: readonly TaskKind[];
	getTask(id: string, kind: TaskKind): ApiCall;
	/** Reads a video task by the business id its create call carried (toapis client_business_id) */
	taskByBusinessId?(businessId: string): ApiCall;
	/** The create call; `imageUrls` are the request's URLs plus any uploaded ones */
	createVideo(request: VideoRequest, imageUrls: string[]): ApiCall;
	remixVideo(request: VideoRequest): ApiCall;
	/** POST /videos/{id}/extend (toapis Grok 1.0) */
	extendVideo?(request: VideoRequest): ApiCall;
	/** Character creation (toapis only) */
	createCharacter?(request: CharacterRequest): ApiCall;
	uploadVideo?(video: MediaFile): ApiCall;
	/** Flavors whose create call takes image URLs upload binary images first */
	uploadImage?(image: ImageFile): ApiCall;
	uploadedUrl?(body: IDataObject): string | undefined;
	/** The account's balance (free); readBalance gives undefined when the provider says it cannot tell */
	getBalance?(): ApiCall;
	readBalance?(body: IDataObject): Balance | undefined;
	normalizeTask(raw: IDataObject, kind: TaskKind, fallbackId?: string): SoraTask;
	/** One source per video the task made (several with toapis metadata.n > 1) */
	videoSources(task: SoraTask): MediaSource[];
	thumbnailSource(task: SoraTask): MediaSource | undefined;
	/** The last frame a task returned (toapis return_last_frame) */
	lastFrameSource?(task: SoraTask): MediaSource | undefined;
}
