import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { errorItemJson, errorOutputJson, type ItemResult } from '../tasks/outcomes';
import { connect, DEFAULT_TIMEOUT_MS, type SoraClient } from '../provider/transport';

/** Reading the parameters the nodes share (declared once in descriptions.ts). */

/**
 * A text parameter as a string. An expression that finds nothing (e.g. {{ $json.id }} on an item without
 * an id) gives undefined in n8n: that must read as empty, not as the text "undefined".
 */
export function readText(ctx: IExecuteFunctions, name: string, itemIndex: number, options?: IGetNodeParameterOptions): string {
	const value = ctx.getNodeParameter(name, itemIndex, '', options) as unknown;
	return value === undefined || value === null ? '' : String(value);
}

export function readWaitParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, false) as boolean;
	const intervalS = wait ? Number(ctx.getNodeParameter('pollInterval', itemIndex, 10)) : 10;
	const maxWaitS = wait ? Number(ctx.getNodeParameter('maxWaitTime', itemIndex, 600)) : 0;
	return { wait, intervalMs: Math.max(1, intervalS) * 1000, maxWaitMs: Math.max(0, maxWaitS) * 1000 };
}

export function readDownloadParameters(ctx: IExecuteFunctions, itemIndex: number, applicable = true) {
	const downloadVideo = applicable && (ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean);
	const binaryPropertyName = downloadVideo
		? readText(ctx, 'binaryPropertyName', itemIndex).trim()
		: 'data';
	if (downloadVideo && !binaryPropertyName) {
		throw new NodeOperationError(ctx.getNode(), '"Put Video in Field" is empty', {
			itemIndex,
			description: 'Name the binary field the video goes to, e.g. "data".',
		});
	}
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { downloadVideo, binaryPropertyName, downloadThumbnail: downloadVideo && options.downloadThumbnail === true };
}

/** Node-wide options: read from the first item, since they shape the whole batch. */
export function readNodeOptions(ctx: IExecuteFunctions) {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		concurrency: Math.max(1, Number(options.concurrency ?? 5)),
		requestTimeoutMs: options.requestTimeout ? Math.max(1, Number(options.requestTimeout)) * 1000 : DEFAULT_TIMEOUT_MS,
	};
}

/**
 * The file in the input binary field a parameter names, or undefined when the parameter is empty. Read whole:
 * reference images and character clips are small and must be inspected (type, size) before upload.
 */
export async function readInputFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameterName: string,
	label: string,
): Promise<{ binaryPropertyName: string; data: Buffer; mimeType: string; fileName: string } | undefined> {
	const binaryPropertyName = readText(ctx, parameterName, itemIndex).trim();
	if (!binaryPropertyName) return undefined;
	const item = ctx.getInputData()[itemIndex];
	if (!item.binary?.[binaryPropertyName]) {
		const available = Object.keys(item.binary ?? {});
		throw new NodeOperationError(ctx.getNode(), `${label} is "${binaryPropertyName}", but the item has no such binary field`, {
			itemIndex,
			description: available.length
				? `The item's binary fields are: ${available.join(', ')}.`
				: 'The item has no binary data at all: read the file first (Read Files, or HTTP Request with a "File" response).',
		});
	}
	const meta = ctx.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	return { binaryPropertyName, data, mimeType: meta.mimeType, fileName: meta.fileName ?? binaryPropertyName };
}

/**
 * Turns per-item results into the node's output, honouring the node's On Error setting:
 * - Stop Workflow: the first failed item's error stops the node;
 * - Continue (regular output): failed items come out with the others, the task's JSON carrying `error`;
 * - Continue (using error output): failed items (and tasks that missed their goal) are shaped so that n8n moves
 *   them to the error output: `error`, and the task's JSON under `details`.
 */
export function toOutputItems(ctx: IExecuteFunctions, results: ItemResult[]): INodeExecutionData[] {
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		const pairedItem = { item: itemIndex };
		if (result.error && !ctx.continueOnFail()) throw result.error;
		if (toErrorOutput && (result.error || result.missedGoal)) {
			output.push({ json: errorOutputJson(result), pairedItem });
		} else if (result.error) {
			output.push({ json: errorItemJson(result), pairedItem });
		} else {
			output.push({ json: result.json, binary: result.binary, pairedItem });
		}
	}
	return output;
}

export interface Batch {
	items: INodeExecutionData[];
	/** One result per input item, filled in by the node */
	results: ItemResult[];
	options: ReturnType<typeof readNodeOptions>;
	/** Undefined when the credential itself is unusable: then every result already carries that error */
	client?: SoraClient;
}

/** What every node starts with: its items, empty results, the node-wide options and a client for the provider. */
export async function startBatch(
	ctx: IExecuteFunctions,
	check?: (client: SoraClient) => void,
): Promise<Batch> {
	const items = ctx.getInputData();
	const options = readNodeOptions(ctx);
	try {
		const client = await connect(ctx, 0, options.requestTimeoutMs, options.concurrency);
		check?.(client);
		return { items, options, client, results: items.map(() => ({ json: {} })) };
	} catch (error) {
		return { items, options, results: items.map(() => ({ json: {}, error: error as Error })) };
	}
}
