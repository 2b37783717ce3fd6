import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { createFollower, type FollowUp } from '../shared/tasks/follow';
import type { ItemResult } from '../shared/tasks/outcomes';
import { readInputFile, readText, readWaitParameters, startBatch } from '../shared/parameters/read';
import { submitOnce } from '../shared/tasks/once';
import { callApi, type SoraClient } from '../shared/provider/transport';
import { validateCharacterRequest, type CharacterParameters, type CharacterRequest } from '../shared/parameters/validation';

interface PlannedCreate {
	itemIndex: number;
	request: CharacterRequest;
	wait: ReturnType<typeof readWaitParameters>;
}

/** Creates one item's character task (uploading its video first if needed); reuses it when n8n retries the node. */
async function submit(client: SoraClient, { itemIndex, request }: PlannedCreate): Promise<string> {
	const { adapter } = client;
	const result = await submitOnce(
		client,
		itemIndex,
		{ character: request },
		async () => {
			let url = request.url;
			if (request.video) {
				// Uploads cost nothing and are safe to repeat.
				const uploaded = await callApi(client, adapter.uploadVideo!(request.video), { itemIndex, kind: 'read' });
				url = adapter.uploadedUrl?.(uploaded.body);
				if (!url) {
					throw new NodeApiError(client.ctx.getNode(), { body: JSON.stringify(uploaded.body).slice(0, 300) }, {
						message: 'The video upload answered without a URL',
						description: 'Nothing was created or billed. Try again, or give the video as a public URL.',
						itemIndex,
					});
				}
			}
			return adapter.createCharacter!({ ...request, video: undefined, url });
		},
		(body) => adapter.normalizeTask(body, 'character').id,
	);
	const id = result.reusedTaskId ?? adapter.normalizeTask(result.body!, 'character').id;
	if (!id) {
		throw new NodeApiError(client.ctx.getNode(), { body: JSON.stringify(result.body).slice(0, 500) }, {
			message: 'The provider accepted the character request but its answer has no task id',
			description: 'Check your provider dashboard before running this item again.',
			itemIndex,
		});
	}
	return id;
}

type WaitParameters = ReturnType<typeof readWaitParameters>;

/** Following a character task: read it (until it ends, when waiting); characters have no video to download. */
function followCharacter(itemIndex: number, id: string, wait: WaitParameters, createdHere = false): FollowUp {
	return {
		// A new task is read once even without waiting, so the output has its full shape.
		target: {
			itemIndex,
			id,
			kind: 'character',
			intervalMs: wait.intervalMs,
			maxWaitMs: wait.wait ? wait.maxWaitMs : 0,
			...(createdHere ? { firstPollAfterInterval: wait.wait, createdHere: true } : {}),
		},
		wait: wait.wait,
		downloadVideo: false,
		binaryPropertyName: 'data',
		downloadThumbnail: false,
	};
}

/** What one item asks for: an existing character task to read (Get), or a validated request to submit (Create). */
async function planItem(ctx: IExecuteFunctions, itemIndex: number): Promise<FollowUp | PlannedCreate> {
	const operation = ctx.getNodeParameter('operation', itemIndex, 'create') as string;
	const wait = readWaitParameters(ctx, itemIndex);
	if (operation === 'get') {
		const id = readText(ctx, 'taskId', itemIndex).trim();
		if (!id) {
			throw new NodeOperationError(ctx.getNode(), 'Character Task ID is empty', {
				itemIndex,
				description: 'Give the id Sora Character → Create returned, e.g. task_01KBYT59JDHB4A3KDDR9N9JVWP.',
			});
		}
		return followCharacter(itemIndex, id, wait);
	}
	const parameters: CharacterParameters = {
		model: readText(ctx, 'model', itemIndex, { extractValue: true }),
		timestamps: readText(ctx, 'timestamps', itemIndex),
		url: readText(ctx, 'url', itemIndex),
		fromTask: readText(ctx, 'fromTask', itemIndex),
		prompt: readText(ctx, 'prompt', itemIndex),
		video: await readInputFile(ctx, itemIndex, 'videoBinaryPropertyName', 'Video From Binary Field'),
	};
	return { itemIndex, request: validateCharacterRequest(ctx.getNode(), itemIndex, parameters), wait };
}

/** Creates characters (or reads character tasks) for every item together, waiting if asked. */
export async function runCharacters(this: IExecuteFunctions): Promise<ItemResult[]> {
	const { items, results, options, client } = await startBatch(this, ({ adapter }) => {
		if (!adapter.createCharacter) {
			throw new NodeOperationError(this.getNode(), `Characters are a toapis feature; the ${adapter.label} API has none`, {
				description: 'Use a Sora API credential with the toapis flavor for Sora Character. Nothing was sent.',
			});
		}
	});
	if (!client) return results;

	const followUps: FollowUp[] = [];
	const creates: PlannedCreate[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const plan = await planItem(this, itemIndex);
			if ('target' in plan) followUps.push(plan);
			else creates.push(plan);
		} catch (error) {
			results[itemIndex] = { json: {}, error: error as Error };
		}
	}

	const follow = createFollower(this, client, options.concurrency, results);
	const created = creates.map(async (planned) => {
		let id: string;
		try {
			id = await submit(client, planned);
		} catch (error) {
			results[planned.itemIndex] = { json: {}, error: error as Error };
			return;
		}
		await follow(followCharacter(planned.itemIndex, id, planned.wait, true));
	});
	await Promise.all([...created, ...followUps.map(follow)]);
	return results;
}
