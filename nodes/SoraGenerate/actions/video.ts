import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { VideoRequest } from '../../shared/domain/requests';
import { readDownloads, readText, readWaiting } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import type { VideoParameters } from '../../shared/rules/validation';
import type { FollowPlan } from '../../shared/tasks/follow';
import type { Submission, Upload } from '../../shared/tasks/submit';

/** What Generate and Remix share: the video fields, the submission, and what follows it. */

/** The fields both operations have; each operation adds its own. */
export function readVideoFields(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
	operation: VideoParameters['operation'],
): VideoParameters {
	return {
		operation,
		videoId: '',
		model: readText(ctx, 'model', itemIndex, { extractValue: true }),
		prompt: readText(ctx, 'prompt', itemIndex),
		duration: Number(ctx.getNodeParameter('duration', itemIndex, 0) || 0),
		aspectRatio: readText(ctx, 'aspectRatio', itemIndex),
		imageUrls: '',
		additionalFields: {},
		webhookUrl: client.connection.webhookUrl,
	};
}

/** Waiting and downloads as set on the node; a failed task goes to the error output unless the option says not to. */
export function readVideoFollowPlan(ctx: IExecuteFunctions, itemIndex: number): FollowPlan {
	const waiting = readWaiting(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		waiting,
		downloads: readDownloads(ctx, itemIndex),
		failedTaskToErrorOutput: waiting.wait && options.failedTaskToErrorOutput !== false,
	};
}

/** A family request with the URLs of its uploaded files filled in, in the order of its media. */
function withUploadedUrls(request: VideoRequest, urls: string[]): VideoRequest {
	if (!request.family) return request;
	let next = 0;
	const media = request.family.media.map((input) =>
		input.file ? { role: input.role, kind: input.kind, url: urls[next++] } : input,
	);
	return { ...request, family: { ...request.family, media } };
}

/**
 * A video request as one paid submission: binary images (and, for families, videos) are uploaded first on flavors
 * that take URLs, one after the other; their URLs go into the create call.
 */
export function videoSubmission(client: SoraClient, request: VideoRequest): Submission {
	const { adapter } = client;
	const uploads: Upload[] = [];
	if (request.image && adapter.uploadImage) {
		const image = request.image;
		uploads.push({ what: 'image', call: () => adapter.uploadImage!(image) });
	}
	for (const input of request.family?.media ?? []) {
		const file = input.file;
		if (!file) continue;
		uploads.push(
			input.kind === 'video'
				? { what: 'video', call: () => adapter.uploadVideo!(file) }
				: { what: 'image', call: () => adapter.uploadImage!(file) },
		);
	}
	return {
		kind: 'video',
		request,
		uploads,
		create: (uploadedUrls) => {
			if (request.operation === 'remix') return adapter.remixVideo(request);
			if (request.operation === 'extend') return adapter.extendVideo!(request);
			if (request.family) return adapter.createVideo(withUploadedUrls(request, uploadedUrls), []);
			return adapter.createVideo(request, [...request.imageUrls, ...uploadedUrls]);
		},
		answerIsTask: true,
	};
}
