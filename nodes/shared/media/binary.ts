import {
	NodeApiError,
	NodeOperationError,
	type IBinaryData,
	type IBinaryKeyData,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { CREDENTIAL_NAME } from '../domain/api';
import type { SoraTask } from '../domain/task';
import { redact, redactJson } from '../provider/errors';
import type { MediaSource } from '../provider/flavors';
import { providerRetryDelayMs, type SoraClient } from '../provider/transport';
import { sniffImage, sniffVideo } from '../util/sniff';
import { ExecutionCancelled, pause } from '../util/wait';

/** The binary field a task's thumbnail goes to, beside its video */
export const THUMBNAIL_PROPERTY = 'thumbnail';
/** The binary field a task's last frame goes to (toapis return_last_frame), beside its video */
export const LAST_FRAME_PROPERTY = 'lastFrame';

/** Idle timeout while a download streams; the whole file may take much longer. */
const DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
const DOWNLOAD_ATTEMPTS = 3;

/**
 * Downloads run in a node's execute() and in Sora Trigger's webhook(); both contexts have the request and
 * binary helpers used here.
 */
export type MediaClient = Pick<SoraClient, 'connection' | 'adapter' | 'secrets' | 'signal'> &
	Partial<Pick<SoraClient, 'credential'>> & {
		ctx: IExecuteFunctions | IWebhookFunctions;
	};

type StreamBody = AsyncIterable<Buffer | string> & { destroy?: () => void };

/** The response stream as Node gives it: what peeking at its first bytes needs. */
interface ReadableBody {
	read(): Buffer | string | null;
	unshift(chunk: Buffer | string): void;
	once(event: 'readable' | 'end' | 'error', listener: () => void): unknown;
	off(event: 'readable' | 'end' | 'error', listener: () => void): unknown;
	readableEnded?: boolean;
}

/**
 * The first bytes of a streamed answer, put back so the whole stream still goes to the binary data store: what
 * comes first, unchanged, and nothing buffered beyond that first chunk.
 */
async function peek(body: StreamBody): Promise<Buffer> {
	const stream = body as unknown as ReadableBody;
	if (typeof stream.read !== 'function' || typeof stream.unshift !== 'function')
		return Buffer.alloc(0);
	for (;;) {
		const chunk = stream.read();
		if (chunk !== null) {
			stream.unshift(chunk);
			return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		}
		if (stream.readableEnded) return Buffer.alloc(0);
		await new Promise<void>((resolve) => {
			const done = () => {
				stream.off('readable', done);
				stream.off('end', done);
				stream.off('error', done);
				resolve();
			};
			stream.once('readable', done);
			stream.once('end', done);
			stream.once('error', done);
		});
	}
}

/**
 * Why an answer to a thumbnail request is not a thumbnail, from its Content-Type, Content-Length and first bytes:
 * new-api's /content proxy ignores ?variant=thumbnail and streams the MP4 again (docs/providers.md#2-video-and-thumbnail-urls).
 * Undefined when it is an image (or a type we cannot tell, but declared as an image).
 */
function notAThumbnail(
	mimeType: string,
	length: number | undefined,
	first: Buffer,
	videoBytes: number | undefined,
): string | undefined {
	const size = length === undefined ? '' : `, ${length} bytes`;
	const video = sniffVideo(first);
	if (video || /^video\//i.test(mimeType)) return `a video (${video ?? mimeType}${size})`;
	if (!sniffImage(first) && !/^image\//i.test(mimeType))
		return `something that is not an image (${mimeType || 'no Content-Type'}${size})`;
	if (videoBytes !== undefined && videoBytes > 0 && length === videoBytes)
		return `a file exactly the size of the video (${length} bytes)`;
	return undefined;
}

const IMAGE_EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'image/gif': 'gif',
};

interface FetchResult {
	statusCode: number;
	headers: IDataObject;
	body: StreamBody;
}

async function readSmallBody(body: StreamBody, limit = 64 * 1024): Promise<string> {
	let text = '';
	for await (const chunk of body) {
		text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
		if (text.length >= limit) break;
	}
	body.destroy?.();
	return text;
}

/**
 * A public CDN file: fetched with the plain helper, so no credential is in scope and the API key
 * cannot travel to a host that is not the API's (redirects included).
 */
async function fetchPublic(
	ctx: MediaClient['ctx'],
	url: string,
	signal?: AbortSignal,
): Promise<FetchResult> {
	const request: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
		abortSignal: signal,
	};
	const response = (await ctx.helpers.httpRequest(request)) as IN8nHttpFullResponse;
	return {
		statusCode: response.statusCode,
		headers: response.headers as IDataObject,
		body: response.body as StreamBody,
	};
}

/** A provider endpoint (OpenAI-style /content): authenticated, and any redirect is followed without the key. */
async function fetchAuthenticated(client: MediaClient, source: MediaSource): Promise<FetchResult> {
	const { ctx } = client;
	const call = source.call!;
	const request: IHttpRequestOptions = {
		method: call.method,
		url: client.connection.apiRoot + call.path,
		qs: call.qs,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
	};
	const response = (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		CREDENTIAL_NAME,
		request,
		client.credential,
	)) as IN8nHttpFullResponse;
	const headers = response.headers as IDataObject;
	const body = response.body as StreamBody;
	const location = headers.location;
	if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
		body.destroy?.();
		const target = new URL(location, client.connection.apiRoot + call.path).toString();
		return await fetchPublic(ctx, target, client.signal);
	}
	// Some resellers answer /content with JSON that points at the file (docs/providers.md#5-content-that-answers-with-json).
	const type = String(headers['content-type'] ?? '');
	if (response.statusCode < 300 && type.includes('application/json')) {
		const json = JSON.parse(await readSmallBody(body)) as IDataObject;
		const url = [json.url, json.video_url, (json.metadata as IDataObject | undefined)?.url].find(
			(value): value is string => typeof value === 'string' && /^https?:\/\//.test(value),
		);
		if (url) return await fetchPublic(ctx, url, client.signal);
		return {
			statusCode: 502,
			headers,
			body: (async function* () {
				yield JSON.stringify(json);
			})(),
		};
	}
	return { statusCode: response.statusCode, headers, body };
}

function downloadError(
	client: MediaClient,
	task: SoraTask,
	what: string,
	itemIndex: number,
	detail: IDataObject,
	message: string,
	description: string,
): NodeApiError {
	return new NodeApiError(
		client.ctx.getNode(),
		redactJson({ taskId: task.id, ...detail }, client.secrets),
		{
			message: redact(message, client.secrets),
			description: redact(`${description} Task id: ${task.id} (${what}).`, client.secrets),
			httpCode: detail.status === undefined ? undefined : String(detail.status),
			itemIndex,
		},
	);
}

/** One try at the file: the answer, or the network error's code when there was none. */
async function tryFetch(client: MediaClient, source: MediaSource): Promise<FetchResult | string> {
	try {
		return source.call
			? await fetchAuthenticated(client, source)
			: await fetchPublic(client.ctx, source.url!, client.signal);
	} catch (error) {
		const e = error as { code?: unknown; cause?: { code?: unknown } };
		return String(e.cause?.code ?? e.code ?? 'ENETWORK');
	}
}

/** A download the server refused: either the file is gone (links expire) or the server is in trouble. */
function refusedDownload(
	client: MediaClient,
	task: SoraTask,
	what: string,
	itemIndex: number,
	statusCode: number,
	text: string,
): NodeApiError {
	const expired = statusCode === 403 || statusCode === 404 || statusCode === 410;
	const expiredNote = task.expiresAt
		? ` The provider said it would expire at ${task.expiresAt}.`
		: '';
	return downloadError(
		client,
		task,
		what,
		itemIndex,
		{ status: statusCode, body: text.slice(0, 300) },
		expired
			? `The ${what} file is gone or its link has expired (${statusCode})`
			: `Could not download the ${what} (${statusCode})`,
		expired
			? `Providers keep finished videos for about 24 hours.${expiredNote}`
			: 'Try again later; the task itself is finished.',
	);
}

/** Which file of a task a download is, as downloadMedia was asked for it */
interface WantedFile {
	task: SoraTask;
	source: MediaSource;
	what: 'video' | 'thumbnail' | 'last frame';
	itemIndex: number;
	variant: number;
	videoBytes?: number;
}

/**
 * A successful answer into n8n's binary data store, as the stream it is: in filesystem mode n8n writes it chunk by
 * chunk with backpressure, nothing is buffered or hashed (as n8n's own OpenAI video node hands over /content). What
 * peak RSS still shows during a big download is the socket's spent read buffers awaiting V8's collector, as for Node
 * alone (`npm run bench:download` measures both nodes and that floor side by side). A thumbnail is checked first: a
 * host that answers with the video is not giving a thumbnail.
 */
async function storeAnswer(
	client: MediaClient,
	{ task, source, what, itemIndex, variant, videoBytes }: WantedFile,
	statusCode: number,
	headers: IDataObject,
	body: StreamBody,
): Promise<IBinaryData> {
	const declared = String(headers['content-type'] ?? '')
		.split(';')[0]
		.trim();
	let mimeType = declared || source.mimeType;
	let extension = source.fileExtension;
	if (what === 'thumbnail') {
		const length = Number(headers['content-length']);
		const first = await peek(body);
		const instead = notAThumbnail(
			declared,
			Number.isFinite(length) && length >= 0 ? length : undefined,
			first,
			videoBytes,
		);
		if (instead) {
			body.destroy?.();
			throw downloadError(
				client,
				task,
				what,
				itemIndex,
				{
					status: statusCode,
					contentType: declared || null,
					contentLength: headers['content-length'] ?? null,
				},
				`The provider answered the thumbnail request with ${instead}`,
				'This host serves no thumbnail for the task (it ignores the thumbnail variant); the video is unaffected.',
			);
		}
		const image = sniffImage(first);
		if (image) {
			mimeType = image.mimeType;
			extension = IMAGE_EXTENSIONS[image.mimeType];
		}
	}
	const suffix =
		what === 'thumbnail'
			? '-thumbnail'
			: what === 'last frame'
				? '-last-frame'
				: variant > 0
					? `-${variant + 1}`
					: '';
	return await client.ctx.helpers.prepareBinaryData(
		body as unknown as Buffer,
		`${task.id}${suffix}.${extension}`,
		mimeType,
	);
}

/**
 * Streams a finished task's video or thumbnail into n8n's binary data store; the file never sits in
 * memory whole, whatever its size. Dropped connections, 429 and 5xx are tried again (a GET costs nothing).
 */
export async function downloadMedia(
	client: MediaClient,
	task: SoraTask,
	source: MediaSource,
	what: 'video' | 'thumbnail' | 'last frame',
	itemIndex: number,
	variant = 0,
	/** For a thumbnail: the size of the task's video, which a thumbnail cannot have */
	videoBytes?: number,
): Promise<IBinaryData> {
	const { ctx } = client;
	const node = ctx.getNode();
	for (let attempt = 1; ; attempt++) {
		if (client.signal?.aborted) throw new ExecutionCancelled(node, itemIndex);
		const result = await tryFetch(client, source);
		if (client.signal?.aborted) throw new ExecutionCancelled(node, itemIndex);
		if (typeof result === 'string') {
			if (attempt < DOWNLOAD_ATTEMPTS) {
				if (!(await pause(1000 * attempt, client.signal)))
					throw new ExecutionCancelled(node, itemIndex);
				continue;
			}
			const advice =
				'The task is finished; run Sora Task Status with download on to fetch it again.';
			throw downloadError(
				client,
				task,
				what,
				itemIndex,
				{ code: result, attempts: attempt },
				`Could not download the ${what} (${result})`,
				advice,
			);
		}

		const { statusCode, headers, body } = result;
		if (statusCode >= 200 && statusCode < 300) {
			const file = { task, source, what, itemIndex, variant, videoBytes };
			return await storeAnswer(client, file, statusCode, headers, body);
		}

		const text = await readSmallBody(body).catch(() => '');
		if ((statusCode === 429 || statusCode >= 500) && attempt < DOWNLOAD_ATTEMPTS) {
			const delay = Math.min(providerRetryDelayMs(headers) ?? 1000 * attempt, 30_000);
			if (!(await pause(delay, client.signal))) throw new ExecutionCancelled(node, itemIndex);
			continue;
		}
		throw refusedDownload(client, task, what, itemIndex, statusCode, text);
	}
}

/**
 * Every video of a finished task into binary fields: the first in `field`, variants (toapis metadata.n) in
 * "<field>_2", "<field>_3", ...
 */
export async function downloadTaskVideos(
	client: MediaClient,
	task: SoraTask,
	field: string,
	itemIndex: number,
): Promise<IBinaryKeyData> {
	const sources = client.adapter.videoSources(task);
	if (!sources.length) {
		throw new NodeOperationError(
			client.ctx.getNode(),
			`Sora task ${task.id} is completed but the provider gave no video URL`,
			{
				itemIndex,
				description:
					'The raw provider response is in the output; please report it so we can read this shape.',
			},
		);
	}
	const binary: IBinaryKeyData = {};
	for (let n = 0; n < sources.length; n++) {
		binary[n === 0 ? field : `${field}_${n + 1}`] = await downloadMedia(
			client,
			task,
			sources[n],
			'video',
			itemIndex,
			n,
		);
	}
	return binary;
}

/** A finished task's files as binary fields; when a thumbnail was asked for but could not be had, the reason. */
export interface TaskFiles {
	binary: IBinaryKeyData;
	thumbnailError?: string;
	/** The task returned a last frame that could not be downloaded: why (the video is kept) */
	lastFrameError?: string;
}

/** An extra file of a finished task (thumbnail, last frame): a failure costs only that file, never the video. */
async function downloadExtra(
	client: MediaClient,
	task: SoraTask,
	source: MediaSource,
	what: 'thumbnail' | 'last frame',
	itemIndex: number,
	videoBytes?: number,
): Promise<IBinaryData | string> {
	let failure: string;
	try {
		return await downloadMedia(client, task, source, what, itemIndex, 0, videoBytes);
	} catch (error) {
		failure = (error as Error).message;
	}
	// A stopped execution stays stopped; anything else only costs this file.
	if (client.signal?.aborted) throw new ExecutionCancelled(client.ctx.getNode(), itemIndex);
	return failure;
}

/**
 * Every video of a finished task (downloadTaskVideos) and, if asked, its thumbnail into the field "thumbnail". The
 * thumbnail is an extra: a host that serves none, or a failed thumbnail download, never costs the item its video
 * (the video is what was paid for); the reason is returned instead.
 */
export async function downloadTaskFiles(
	client: MediaClient,
	task: SoraTask,
	field: string,
	itemIndex: number,
	withThumbnail: boolean,
): Promise<TaskFiles> {
	const binary = await downloadTaskVideos(client, task, field, itemIndex);
	const files: TaskFiles = { binary };
	const thumbnail = withThumbnail ? client.adapter.thumbnailSource(task) : undefined;
	if (thumbnail) {
		const videoBytes = binary[field]?.bytes;
		const got = await downloadExtra(
			client,
			task,
			thumbnail,
			'thumbnail',
			itemIndex,
			typeof videoBytes === 'number' ? videoBytes : undefined,
		);
		if (typeof got === 'string') files.thumbnailError = got;
		else binary[THUMBNAIL_PROPERTY] = got;
	}
	// Asked for with Return Last Frame: it comes with the video, into "lastFrame".
	const lastFrame = client.adapter.lastFrameSource?.(task);
	if (lastFrame) {
		const got = await downloadExtra(client, task, lastFrame, 'last frame', itemIndex);
		if (typeof got === 'string') files.lastFrameError = got;
		else binary[LAST_FRAME_PROPERTY] = got;
	}
	return files;
}
