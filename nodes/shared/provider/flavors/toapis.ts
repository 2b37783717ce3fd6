import type { IDataObject } from 'n8n-workflow';
import type { VideoMetadata } from '../../domain/requests';
import {
	normalizeProgress,
	normalizeStatus,
	normalizeTaskError,
	normalizeTimestamp,
	type SoraTask,
	type TaskKind,
} from '../../domain/task';
import { familyBody, familyModel, withExtraBody } from '../../rules/models';
import { firstString, isObject, pick } from '../../util/json';
import type { FlavorAdapter, MediaSource } from './types';

const METADATA_KEYS: Record<keyof VideoMetadata, string> = {
	n: 'n',
	watermark: 'watermark',
	hd: 'hd',
	private: 'private',
	style: 'style',
	storyboard: 'storyboard',
	characterUrl: 'character_url',
	characterTimestamps: 'character_timestamps',
	characterCreate: 'character_create',
	characterFromTask: 'character_from_task',
};

// The current docs put the URL at result.data[0].url; older pages and webhooks used result.url,
// url, video_url or metadata.url (docs/providers.md#2-video-and-thumbnail-urls), and new-api style proxies metadata.url.
const VIDEO_URL_PATHS = [
	'result.data.0.url',
	'result.url',
	'result.video_url',
	'url',
	'video_url',
	'metadata.url',
	'metadata.video_url',
	'data.0.url',
];
// Where thumbnails land is undocumented (docs/providers.md#2-video-and-thumbnail-urls); these are the places seen on resellers.
const THUMBNAIL_URL_PATHS = [
	'result.data.0.thumbnail_url',
	'result.thumbnail_url',
	'result.thumbnail',
	'thumbnail_url',
	'metadata.thumbnail_url',
];

function taskId(raw: IDataObject, fallbackId?: string): string {
	// Some toapis endpoints wrap tasks as {code, data: [{task_id}]} (docs/providers.md#1-task-ids).
	return (
		firstString(raw, ['id', 'task_id', 'data.0.task_id', 'data.0.id', 'data.task_id']) ??
		fallbackId ??
		''
	);
}

/** The URLs of all variants (metadata.n > 1 makes several entries in result.data). */
function variantUrls(body: IDataObject): string[] {
	const data = pick(body, 'result.data');
	const urls = (Array.isArray(data) ? data : [])
		.map((entry) => (isObject(entry) && typeof entry.url === 'string' ? entry.url.trim() : ''))
		.filter(Boolean);
	const single = firstString(body, VIDEO_URL_PATHS);
	return urls.length ? urls : single ? [single] : [];
}

/** Characters of a finished character task, with the @mentions ready to drop into a prompt. */
function readCharacters(body: IDataObject): IDataObject {
	const list =
		pick(body, 'result.data.characters') ??
		pick(body, 'result.characters') ??
		pick(body, 'characters');
	const characters = (Array.isArray(list) ? list : []).filter(isObject).map((c) => ({
		id: typeof c.id === 'string' ? c.id : null,
		displayName: typeof c.display_name === 'string' ? c.display_name : null,
		username: typeof c.username === 'string' ? c.username : null,
		profilePictureUrl: typeof c.profile_picture_url === 'string' ? c.profile_picture_url : null,
		mention: typeof c.username === 'string' ? `@${c.username}` : null,
	}));
	const mentions = characters.map((c) => c.mention).filter((m): m is string => !!m);
	return { characters, usernames: mentions.map((m) => m.slice(1)), mentions: mentions.join(' ') };
}

function fileExtension(url: string, fallback: string): string {
	const match = /\.([a-z0-9]{2,5})(?:[?#]|$)/i.exec(url);
	return match ? match[1].toLowerCase() : fallback;
}

export const toapisAdapter: FlavorAdapter = {
	flavor: 'toapis',
	label: 'toapis',
	kinds: ['video', 'character'],

	getTask(id, kind) {
		const encoded = encodeURIComponent(id);
		return kind === 'character'
			? { method: 'GET', path: `/characters_tasks/${encoded}` }
			: { method: 'GET', path: `/videos/generations/${encoded}` };
	},

	taskByBusinessId(businessId) {
		// toapis' status endpoint takes a client_business_id in place of the task id (docs/providers.md#1-task-ids).
		return { method: 'GET', path: `/videos/generations/${encodeURIComponent(businessId)}` };
	},

	createVideo(request, imageUrls) {
		// Seedance, Kling, Veo, Grok, Wan, MiniMax, Vidu: the family's row says where each field goes.
		const family = request.family && familyModel(request.model);
		if (family) {
			const body = withExtraBody(familyBody(family, request), request.extraBody) as IDataObject;
			return { method: 'POST', path: '/videos/generations', body };
		}
		const body: IDataObject = { model: request.model, prompt: request.prompt };
		if (request.duration !== undefined) body.duration = request.duration;
		if (request.aspectRatio) body.aspect_ratio = request.aspectRatio;
		if (imageUrls.length) body.image_urls = imageUrls;
		if (request.thumbnail !== undefined) body.thumbnail = request.thumbnail;
		const metadata: IDataObject = {};
		for (const [key, apiKey] of Object.entries(METADATA_KEYS)) {
			const value = request.metadata[key as keyof VideoMetadata];
			if (value !== undefined) metadata[apiKey] = value;
		}
		if (Object.keys(metadata).length) body.metadata = metadata;
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		if (request.clientBusinessId) body.client_business_id = request.clientBusinessId;
		return {
			method: 'POST',
			path: '/videos/generations',
			body: withExtraBody(body, request.extraBody) as IDataObject,
		};
	},

	/** Grok 1.0: POST /v1/videos/{id}/extend with the prompt (docs/models.md#grok). */
	extendVideo(request) {
		return {
			method: 'POST',
			path: `/videos/${encodeURIComponent(request.videoId ?? '')}/extend`,
			body: { model: request.model, prompt: request.prompt },
		};
	},

	remixVideo(request) {
		const body: IDataObject = { model: request.model, prompt: request.prompt };
		// Validation has already refused both for models whose remix takes only the prompt.
		if (request.duration !== undefined) body.duration = request.duration;
		if (request.aspectRatio) body.aspect_ratio = request.aspectRatio;
		return {
			method: 'POST',
			path: `/videos/${encodeURIComponent(request.videoId ?? '')}/remix`,
			body,
		};
	},

	createCharacter(request) {
		const body: IDataObject = { model: request.model, timestamps: request.timestamps };
		if (request.prompt) body.prompt = request.prompt;
		if (request.url) body.url = request.url;
		if (request.fromTask) body.from_task = request.fromTask;
		return { method: 'POST', path: '/videos/generations', body };
	},

	uploadVideo(video) {
		const form = new FormData();
		form.append(
			'file',
			new Blob([new Uint8Array(video.data)], { type: video.mimeType }),
			video.fileName,
		);
		return { method: 'POST', path: '/uploads/videos', body: form };
	},

	uploadImage(image) {
		const form = new FormData();
		form.append(
			'file',
			new Blob([new Uint8Array(image.data)], { type: image.mimeType }),
			image.fileName,
		);
		return { method: 'POST', path: '/uploads/images', body: form };
	},

	getBalance() {
		// The token's balance: free, and answered 200 with success false when the token cannot be read.
		return { method: 'GET', path: '/balance' };
	},

	readBalance(body) {
		if (body.success !== true) return undefined;
		const number = (value: unknown) =>
			typeof value === 'number' && Number.isFinite(value) ? value : null;
		const unlimited = body.unlimited_quota === true;
		return {
			remainingCredits: unlimited ? null : number(body.remain_credits),
			usedCredits: number(body.used_credits) ?? 0,
			remainingBalance: unlimited ? null : number(body.remain_balance),
			usedBalance: number(body.used_balance) ?? 0,
			creditsPerUsd: number(body.credits_per_usd),
			unlimited,
		};
	},

	uploadedUrl(body) {
		return firstString(body, ['data.url', 'url']) ?? undefined;
	},

	normalizeTask(raw, kind: TaskKind, fallbackId) {
		const body = isObject(raw.data) && !raw.id && raw.data.status !== undefined ? raw.data : raw;
		const status = normalizeStatus(body.status);
		const task: SoraTask = {
			id: taskId(body, fallbackId),
			kind,
			status,
			progress: normalizeProgress(body.progress, status),
			model: typeof body.model === 'string' ? body.model : null,
			videoUrl: kind === 'video' ? firstString(body, VIDEO_URL_PATHS) : null,
			videoUrls: kind === 'video' ? variantUrls(body) : [],
			contentPath: null,
			thumbnailUrl: kind === 'video' ? firstString(body, THUMBNAIL_URL_PATHS) : null,
			expiresAt: normalizeTimestamp(body.expires_at),
			// Webhook events say submitted_at where status reads say created_at.
			createdAt: normalizeTimestamp(body.created_at ?? body.submitted_at),
			completedAt: normalizeTimestamp(body.completed_at ?? body.finished_at),
			error: normalizeTaskError(body, status),
			clientBusinessId: firstString(body, ['client_business_id']),
			// Seedance 2 / 2.5 with return_last_frame (docs/models.md#last-frame)
			lastFrameUrl:
				kind === 'video'
					? firstString(body, ['result.data.0.last_frame_url', 'result.last_frame_url'])
					: null,
			raw,
		};
		if (kind === 'character') Object.assign(task, readCharacters(body));
		return task;
	},

	videoSources(task): MediaSource[] {
		return (task.videoUrls.length ? task.videoUrls : task.videoUrl ? [task.videoUrl] : []).map(
			(url) => {
				const ext = fileExtension(url, 'mp4');
				return { url, fileExtension: ext, mimeType: ext === 'webm' ? 'video/webm' : 'video/mp4' };
			},
		);
	},

	lastFrameSource(task): MediaSource | undefined {
		if (!task.lastFrameUrl) return undefined;
		const ext = fileExtension(task.lastFrameUrl, 'png');
		return {
			url: task.lastFrameUrl,
			fileExtension: ext,
			mimeType: ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : `image/${ext}`,
		};
	},

	thumbnailSource(task): MediaSource | undefined {
		if (!task.thumbnailUrl) return undefined;
		const ext = fileExtension(task.thumbnailUrl, 'jpg');
		return {
			url: task.thumbnailUrl,
			fileExtension: ext,
			mimeType: ext === 'png' ? 'image/png' : `image/${ext === 'jpg' ? 'jpeg' : ext}`,
		};
	},
};
