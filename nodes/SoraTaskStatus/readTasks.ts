import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { downloadMedia } from '../shared/binary';
import { THUMBNAIL_PROPERTY } from '../shared/descriptions';
import { errorItemJson, taskJsonOf, unfinishedWaitError, type ItemResult } from '../shared/outcomes';
import { pollTasks, type PollTarget } from '../shared/polling';
import { mapWithConcurrency } from '../shared/pool';
import type { SoraTask, TaskKind } from '../shared/task';
import { connect, type SoraClient } from '../shared/transport';

interface StatusRequest {
	target: PollTarget;
	downloadVideo: boolean;
	binaryPropertyName: string;
	downloadThumbnail: boolean;
}

function readRequest(ctx: IExecuteFunctions, client: SoraClient, itemIndex: number): StatusRequest {
	const node = ctx.getNode();
	const id = String(ctx.getNodeParameter('taskId', itemIndex, '')).trim();
	if (!id) {
		throw new NodeOperationError(node, 'Task ID is empty', {
			itemIndex,
			description:
				'Give the ID of a Sora task, e.g. "video_01K8SGYNNNVBQTXNR4MM964S7K", or map it from Sora Generate with {{ $json.id }}.',
		});
	}
	const kind = ctx.getNodeParameter('taskType', itemIndex, 'video') as TaskKind;
	if (!client.adapter.kinds.includes(kind)) {
		throw new NodeOperationError(node, `The ${client.adapter.label} API has no ${kind} tasks`, {
			itemIndex,
			description: 'Character tasks exist on the toapis flavor only. Set Task Type to Video, or use a toapis credential.',
		});
	}
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, false) as boolean;
	const intervalS = wait ? (ctx.getNodeParameter('pollInterval', itemIndex, 10) as number) : 0;
	const maxWaitS = wait ? (ctx.getNodeParameter('maxWaitTime', itemIndex, 600) as number) : 0;
	const downloadVideo = kind === 'video' && (ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean);
	const binaryPropertyName = downloadVideo
		? String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim()
		: 'data';
	if (downloadVideo && !binaryPropertyName) {
		throw new NodeOperationError(node, '"Put Video in Field" is empty', {
			itemIndex,
			description: 'Name the binary field the video goes to, e.g. "data".',
		});
	}
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		target: { itemIndex, id, kind, intervalMs: Math.max(1, intervalS) * 1000, maxWaitMs: Math.max(0, maxWaitS) * 1000 },
		downloadVideo,
		binaryPropertyName,
		downloadThumbnail: downloadVideo && options.downloadThumbnail === true,
	};
}

/** Reads (and optionally waits for, and downloads) every item's task together. */
export async function readTasks(this: IExecuteFunctions): Promise<ItemResult[]> {
	const items = this.getInputData();
	const results: ItemResult[] = items.map(() => ({ json: {} }));

	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Math.max(1, Number(options.concurrency ?? 5));
	let client: SoraClient;
	try {
		client = await connect(this, 0, Math.max(1, Number(options.requestTimeout ?? 60)) * 1000);
	} catch (error) {
		return results.map(() => ({ json: {}, error: error as Error }));
	}

	const requests: Array<StatusRequest | undefined> = items.map((_, itemIndex) => {
		try {
			return readRequest(this, client, itemIndex);
		} catch (error) {
			results[itemIndex] = { json: {}, error: error as Error };
			return undefined;
		}
	});
	const valid = requests.filter((request): request is StatusRequest => request !== undefined);

	const outcomes = await pollTasks(client, valid.map((request) => request.target), concurrency);

	const finished: Array<{ request: StatusRequest; task: SoraTask }> = [];
	valid.forEach((request, n) => {
		const outcome = outcomes[n];
		const { itemIndex } = request.target;
		if (outcome.state === 'finished' || outcome.state === 'unfinished') {
			results[itemIndex] = { json: { ...outcome.task } };
			if (request.downloadVideo && outcome.task.status === 'completed') finished.push({ request, task: outcome.task });
		} else {
			results[itemIndex] = {
				json: taskJsonOf(request.target, outcome),
				error: unfinishedWaitError(this.getNode(), request.target, outcome),
			};
		}
	});

	// Downloads are heavy: fewer at once than status reads.
	await mapWithConcurrency(finished, Math.min(concurrency, 4), async ({ request, task }) => {
		const { itemIndex } = request.target;
		try {
			const source = client.adapter.videoSource(task);
			if (!source) {
				throw new NodeOperationError(this.getNode(), `Sora task ${task.id} is completed but the provider gave no video URL`, {
					itemIndex,
					description: 'The raw provider response is in the output; please report it so we can read this shape.',
				});
			}
			const binary = { [request.binaryPropertyName]: await downloadMedia(client, task, source, 'video', itemIndex) };
			const thumbnail = request.downloadThumbnail ? client.adapter.thumbnailSource(task) : undefined;
			if (thumbnail) binary[THUMBNAIL_PROPERTY] = await downloadMedia(client, task, thumbnail, 'thumbnail', itemIndex);
			results[itemIndex].binary = binary;
		} catch (error) {
			results[itemIndex].error = error as Error;
		}
	});

	return results;
}

export { errorItemJson };
