import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import type { VideoRequest } from '../../shared/domain/requests';
import { readDownloads, readText, readWaiting } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { validateVideoRequest, type VideoParameters } from '../../shared/rules/validation';
import { callbackUrlFor } from '../../shared/tasks/callbacks';
import type { FollowPlan } from '../../shared/tasks/follow';
import { defaultBusinessId, type Submission, type Upload } from '../../shared/tasks/submit';

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
function readVideoFollowPlan(
	ctx: IExecuteFunctions,
	itemIndex: number,
	operation: VideoParameters['operation'],
): FollowPlan {
	const read = readWaiting(ctx, itemIndex);
	// Only a new video's request carries a callback URL (remix and extend bodies have none), and an AI agent's tool
	// call cannot park the agent's execution: both poll in the node.
	const asTool = ctx.getNode().type.endsWith('Tool');
	const untilCallback = read.wait && read.untilCallback && operation === 'generate' && !asTool;
	const waiting = { ...read, untilCallback };
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

/** The files a request carries that must be uploaded first, on flavors that take URLs: images, and family videos. */
function uploadsOf(client: SoraClient, request: VideoRequest): Upload[] {
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
	return uploads;
}

/**
 * A video request as one paid submission: its files are uploaded first, one after the other, and their URLs go into
 * the create call. Where the provider can find a task by business id, every new video carries one (the user's, or
 * one the node makes), so a submit whose answer is lost can be looked up instead of given up on.
 */
function videoSubmission(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
	submitted: VideoRequest,
	reuseExisting: boolean,
): Submission {
	const { adapter } = client;
	const findable = submitted.operation === 'generate' && adapter.taskByBusinessId !== undefined;
	const givenByUser = submitted.clientBusinessId !== undefined;
	const businessId = findable
		? (submitted.clientBusinessId ?? defaultBusinessId(ctx, itemIndex, submitted))
		: undefined;
	const request = businessId ? { ...submitted, clientBusinessId: businessId } : submitted;
	return {
		kind: 'video',
		request,
		businessId: businessId ? { value: businessId, givenByUser, reuseExisting } : undefined,
		uploads: uploadsOf(client, request),
		create: (uploadedUrls) => {
			if (request.operation === 'remix') return adapter.remixVideo(request);
			if (request.operation === 'extend') return adapter.extendVideo!(request);
			if (request.family) return adapter.createVideo(withUploadedUrls(request, uploadedUrls), []);
			return adapter.createVideo(request, [...request.imageUrls, ...uploadedUrls]);
		},
		answerIsTask: true,
	};
}

/** One item's plan from what its operation read: validated before anything is sent, then submitted and followed. */
export function planVideo(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
	parameters: VideoParameters,
): ItemPlan {
	const { flavor } = client.connection;
	const followPlan = readVideoFollowPlan(ctx, itemIndex, parameters.operation);
	if (followPlan.waiting.untilCallback && flavor === 'toapis') {
		parameters = {
			...parameters,
			additionalFields: withCallback(ctx, client, itemIndex, parameters),
		};
	}
	const request = validateVideoRequest(ctx.getNode(), itemIndex, flavor, parameters);
	return {
		submit: videoSubmission(
			ctx,
			client,
			itemIndex,
			request,
			parameters.additionalFields.ifTaskExists !== 'submitNew',
		),
		...followPlan,
	};
}

/** The item's fields with this execution's resume URL as Callback URL, which the wait mode owns. */
function withCallback(
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
	parameters: VideoParameters,
): IDataObject {
	const fields = parameters.additionalFields;
	if (String(fields.callbackUrl ?? '').trim()) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Callback URL cannot be set when Wait Mode is "Until Toapis Calls Back"',
			{
				itemIndex,
				description:
					"The node sends this execution's resume URL as the callback URL. Remove Callback URL, or choose Poll in This Node.",
			},
		);
	}
	return { ...fields, callbackUrl: callbackUrlFor(ctx, client) };
}
