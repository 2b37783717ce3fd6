import type { INode } from 'n8n-workflow';
import type { CharacterRequest } from '../domain/requests';
import { sniffVideo } from '../util/sniff';
import { HTTP_URL, parseSecondsRange, refuserFor, show, TASK_ID, type InputFile } from './checks';

/** Sora Character → Create, checked before anything is uploaded or paid for (toapis character creation). */

export const TOAPIS_VIDEO_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

export interface CharacterParameters {
	model: string;
	timestamps: string;
	prompt?: string;
	url: string;
	fromTask: string;
	video?: InputFile;
}

const CHARACTER_FIELDS: Record<string, string> = {
	model: 'Model',
	timestamps: 'Timestamps',
	url: 'Video URL',
	fromTask: 'From Task',
	videoBinaryPropertyName: 'Video From Binary Field',
};

export function validateCharacterRequest(
	node: INode,
	itemIndex: number,
	input: CharacterParameters,
): CharacterRequest {
	const { refuse } = refuserFor(node, itemIndex, CHARACTER_FIELDS);
	const model = input.model.trim();
	if (!model) refuse('model', 'Model is empty', 'Pick sora-2, sora-2-pro or sora-2-vip.');

	const range = parseSecondsRange(input.timestamps);
	if (!range) {
		return refuse(
			'timestamps',
			`Timestamps is ${show(input.timestamps)}, but it must be "start,end" in seconds, e.g. "1,3"`,
			'Give where the character appears in the video.',
		);
	}
	const length = range.end - range.start;
	if (length < 1 - 1e-9 || length > 3 + 1e-9) {
		refuse(
			'timestamps',
			`Timestamps is "${input.timestamps.trim()}" (${+length.toFixed(3)} s), but the range must be at least 1 s and at most 3 s`,
			'Pick 1 to 3 seconds where the character is clearly visible, e.g. "1,3".',
		);
	}

	const sources = [
		input.url.trim() ? 'url' : '',
		input.fromTask.trim() ? 'fromTask' : '',
		input.video ? 'videoBinaryPropertyName' : '',
	].filter(Boolean);
	if (sources.length !== 1) {
		refuse(
			sources[0] ?? 'url',
			sources.length
				? `Give exactly one video source; ${sources.map((s) => CHARACTER_FIELDS[s]).join(' and ')} are all set`
				: 'No video source: set Video URL, From Task or Video From Binary Field',
			'A character is taken from one video: a public URL (with audio and an identifiable character), an earlier generation task, or a video file in the item.',
		);
	}
	const request: CharacterRequest = { model, timestamps: range.text };
	const prompt = input.prompt?.trim();
	if (prompt) request.prompt = prompt;
	if (input.url.trim()) {
		const url = input.url.trim();
		if (!HTTP_URL.test(url)) {
			refuse(
				'url',
				`Video URL is ${show(url)}, but it must be a public http(s) URL`,
				'Upload the video somewhere public, or use Video From Binary Field.',
			);
		}
		request.url = url;
	}
	if (input.fromTask.trim()) {
		const id = input.fromTask.trim();
		if (!TASK_ID.test(id)) {
			refuse(
				'fromTask',
				`From Task is ${show(id)}, but it must be a task id, e.g. video_01K8SGYNNNVBQTXNR4MM964S7K`,
				'Map the id of an earlier Sora Generate task.',
			);
		}
		request.fromTask = id;
	}
	if (input.video) {
		const { data, binaryPropertyName, fileName } = input.video;
		const type = sniffVideo(data);
		if (!type) {
			return refuse(
				'videoBinaryPropertyName',
				`The file in binary field "${binaryPropertyName}" (${fileName}) is not an MP4, WebM or MOV video`,
				'Convert the video to MP4 first.',
			);
		}
		if (data.length > TOAPIS_VIDEO_UPLOAD_LIMIT_BYTES) {
			refuse(
				'videoBinaryPropertyName',
				`The video in binary field "${binaryPropertyName}" is ${(data.length / 1048576).toFixed(1)} MB; uploads are limited to 50 MB`,
				'Trim the clip to the seconds around the character.',
			);
		}
		request.video = { data, fileName, mimeType: type };
	}
	return request;
}
