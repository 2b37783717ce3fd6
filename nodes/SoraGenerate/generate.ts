import { NodeApiError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { createFollower, type FollowUp } from '../shared/tasks/follow';
import type { ItemResult } from '../shared/tasks/outcomes';
import { readDownloadParameters, readInputFile, readText, readWaitParameters, startBatch } from '../shared/parameters/read';
import type { SoraTask } from '../shared/tasks/task';
import { submitOnce } from '../shared/tasks/once';
import { callApi, type SoraClient } from '../shared/provider/transport';
import { validateVideoRequest, type VideoParameters, type VideoRequest } from '../shared/parameters/validation';

interface Planned {
	itemIndex: number;
	request: VideoRequest;
	followUp: Omit<FollowUp, 'submitted' | 'target'> & { intervalMs: number; maxWaitMs: number };
}

async function plan(ctx: IExecuteFunctions, client: SoraClient, itemIndex: number): Promise<Planned> {
	const operation = ctx.getNodeParameter('operation', itemIndex, 'generate') as 'generate' | 'remix';
	const parameters: VideoParameters = {
		operation,
		videoId: operation === 'remix' ? readText(ctx, 'videoId', itemIndex) : '',
		model: readText(ctx, 'model', itemIndex, { extractValue: true }),
		prompt: readText(ctx, 'prompt', itemIndex),
		duration: Number(ctx.getNodeParameter('duration', itemIndex, 0) || 0),
		aspectRatio: readText(ctx, 'aspectRatio', itemIndex),
		imageUrls: operation === 'generate' ? ctx.getNodeParameter('imageUrls', itemIndex, '') : '',
		image: operation === 'generate' ? await readInputFile(ctx, itemIndex, 'imageBinaryPropertyName', 'Image From Binary Field') : undefined,
		additionalFields: operation === 'generate' ? (ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject) : {},
		webhookUrl: client.connection.webhookUrl,
	};
	const request = validateVideoRequest(ctx.getNode(), itemIndex, client.connection.flavor, parameters);
	const wait = readWaitParameters(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		itemIndex,
		request,
		followUp: {
			wait: wait.wait,
			intervalMs: wait.intervalMs,
			maxWaitMs: wait.maxWaitMs,
			failedTaskToErrorOutput: wait.wait && options.failedTaskToErrorOutput !== false,
			...readDownloadParameters(ctx, itemIndex),
		},
	};
}

/**
 * Sends one item's paid request (after uploading its image, if the flavor takes URLs) and returns the new task id,
 * or the id of the task an earlier attempt of this execution created (n8n's Retry On Fail).
 */
async function submit(client: SoraClient, { itemIndex, request }: Planned): Promise<{ task?: SoraTask; reusedId?: string }> {
	const { adapter } = client;
	const result = await submitOnce(
		client,
		itemIndex,
		{ ...request, rule: undefined },
		async () => {
			if (request.operation === 'remix') return adapter.remixVideo(request);
			const imageUrls = [...request.imageUrls];
			if (request.image && adapter.uploadImage) {
				// An upload costs nothing and repeating it is harmless, so it is retried like a read.
				const uploaded = await callApi(client, adapter.uploadImage(request.image), { itemIndex, kind: 'read' });
				const url = adapter.uploadedUrl?.(uploaded.body);
				if (!url) {
					throw new NodeApiError(client.ctx.getNode(), { body: JSON.stringify(uploaded.body).slice(0, 300) }, {
						message: 'The image upload answered without a URL',
						description: 'Nothing was generated or billed. Try again, or give the image as a public URL.',
						itemIndex,
					});
				}
				imageUrls.push(url);
			}
			return adapter.createVideo(request, imageUrls);
		},
		(body) => adapter.normalizeTask(body, 'video').id,
	);
	if (result.reusedTaskId) return { reusedId: result.reusedTaskId };
	const task = adapter.normalizeTask(result.body!, 'video');
	if (!task.id) {
		throw new NodeApiError(client.ctx.getNode(), { body: JSON.stringify(result.body).slice(0, 500) }, {
			message: 'The provider accepted the request but its answer has no task id',
			description: 'The video may be generating and billed: check your provider dashboard before running this item again.',
			itemIndex,
		});
	}
	return { task };
}

/** Validates every item, submits the valid ones together, then waits and downloads as asked. */
export async function generateVideos(this: IExecuteFunctions): Promise<ItemResult[]> {
	const { items, results, options, client } = await startBatch(this);
	if (!client) return results;

	// Every check runs before the first request: an invalid item costs nothing and stops nothing else.
	const planned: Planned[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			planned.push(await plan(this, client, itemIndex));
		} catch (error) {
			results[itemIndex] = { json: {}, error: error as Error };
		}
	}

	// Every item is submitted and followed at once: the transport holds each call until a lane and a rate-limit
	// token are free, so submits leave at the provider's pace and each task is polled as soon as its id is known.
	const follow = createFollower(this, client, options.concurrency, results);
	await Promise.all(
		planned.map(async (item) => {
			let submitted: Awaited<ReturnType<typeof submit>>;
			try {
				submitted = await submit(client, item);
			} catch (error) {
				results[item.itemIndex] = { json: {}, error: error as Error };
				return;
			}
			const { task, reusedId } = submitted;
			const { intervalMs, maxWaitMs, ...rest } = item.followUp;
			// A reused task (the node is being retried) is read right away, to output its current state.
			await follow({
				...rest,
				submitted: task,
				target: { itemIndex: item.itemIndex, id: task?.id ?? reusedId!, kind: 'video', intervalMs, maxWaitMs: rest.wait ? maxWaitMs : 0, firstPollAfterInterval: !!task, createdHere: true },
			});
		}),
	);
	return results;
}
