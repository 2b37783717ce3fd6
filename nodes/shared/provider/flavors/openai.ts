import type { IDataObject } from 'n8n-workflow';
import type { ApiFlavor } from '../../domain/api';
import {
	normalizeProgress,
	normalizeStatus,
	normalizeTaskError,
	normalizeTimestamp,
	type SoraTask,
} from '../../domain/task';
import { firstString } from '../../util/json';
import type { FlavorAdapter } from './types';

// OpenAI's video object has no URL (the file comes from /content), but new-api hosts proxying other
// upstreams put one in metadata.url or url (docs/providers.md#2-video-and-thumbnail-urls). Prefer it when present.
const VIDEO_URL_PATHS = ['metadata.url', 'metadata.video_url', 'video_url', 'url'];

/** Where an OpenAI-style API serves a finished video (and, with ?variant=thumbnail, its thumbnail). */
function contentPath(taskId: string): string {
	return `/videos/${encodeURIComponent(taskId)}/content`;
}

/** OpenAI-compatible hosts and Azure share the OpenAI Videos API shape; only prefix and auth differ. */
function openAiStyleAdapter(flavor: ApiFlavor, label: string): FlavorAdapter {
	return {
		flavor,
		label,
		kinds: ['video'],

		getTask(id) {
			return { method: 'GET', path: `/videos/${encodeURIComponent(id)}` };
		},

		// Always multipart/form-data, as OpenAI's SDK sends it (videos.create): hosts built around the SDK, such as
		// new-api's Sora channel, take nothing else (docs/providers.md#10-reference-images-and-uploads). The reference
		// image, if any, is the input_reference file part.
		createVideo(request) {
			const form = new FormData();
			form.append('model', request.model);
			form.append('prompt', request.prompt);
			if (request.duration !== undefined) form.append('seconds', String(request.duration));
			if (request.size) form.append('size', request.size);
			if (request.image) {
				const { data, mimeType, fileName } = request.image;
				form.append(
					'input_reference',
					new Blob([new Uint8Array(data)], { type: mimeType }),
					fileName,
				);
			}
			return { method: 'POST', path: '/videos', body: form };
		},

		remixVideo(request) {
			return {
				method: 'POST',
				path: `/videos/${encodeURIComponent(request.videoId ?? '')}/remix`,
				body: { prompt: request.prompt },
			};
		},

		normalizeTask(raw: IDataObject, kind, fallbackId) {
			const status = normalizeStatus(raw.status);
			const task: SoraTask = {
				id: firstString(raw, ['id', 'task_id']) ?? fallbackId ?? '',
				kind,
				status,
				progress: normalizeProgress(raw.progress, status),
				model: typeof raw.model === 'string' ? raw.model : null,
				videoUrl: firstString(raw, VIDEO_URL_PATHS),
				videoUrls: [],
				contentPath: null,
				thumbnailUrl: firstString(raw, ['metadata.thumbnail_url', 'thumbnail_url']),
				expiresAt: normalizeTimestamp(raw.expires_at),
				createdAt: normalizeTimestamp(raw.created_at),
				completedAt: normalizeTimestamp(raw.completed_at),
				error: normalizeTaskError(raw, status),
				// The OpenAI-style APIs take no client id
				clientBusinessId: null,
				lastFrameUrl: null,
				raw,
			};
			if (typeof raw.seconds === 'string' || typeof raw.seconds === 'number')
				task.seconds = String(raw.seconds);
			if (typeof raw.size === 'string') task.size = raw.size;
			if (task.videoUrl) task.videoUrls = [task.videoUrl];
			else if (kind === 'video' && status === 'completed') task.contentPath = contentPath(task.id);
			return task;
		},

		videoSources(task) {
			if (task.videoUrl)
				return [{ url: task.videoUrl, fileExtension: 'mp4', mimeType: 'video/mp4' }];
			return [
				{
					call: { method: 'GET', path: contentPath(task.id), qs: { variant: 'video' } },
					fileExtension: 'mp4',
					mimeType: 'video/mp4',
				},
			];
		},

		thumbnailSource(task) {
			if (task.thumbnailUrl)
				return { url: task.thumbnailUrl, fileExtension: 'jpg', mimeType: 'image/jpeg' };
			return {
				call: {
					method: 'GET',
					path: contentPath(task.id),
					qs: { variant: 'thumbnail' },
				},
				fileExtension: 'webp',
				mimeType: 'image/webp',
			};
		},
	};
}

export const openAiCompatibleAdapter = openAiStyleAdapter('openaiCompatible', 'OpenAI-compatible');
export const azureAdapter = openAiStyleAdapter('azure', 'Azure OpenAI');
