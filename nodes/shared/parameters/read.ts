import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
} from 'n8n-workflow';
import { DEFAULT_TIMEOUT_MS } from '../provider/transport';
import type { InputFile } from '../rules/checks';
import { NO_DOWNLOADS, type Downloads } from '../tasks/follow';
import type { Waiting } from '../tasks/polling';

/** Reading the parameters the nodes share (declared once in descriptions.ts). */

/**
 * A text parameter as a string. An expression that finds nothing (e.g. {{ $json.id }} on an item without
 * an id) gives undefined in n8n: that must read as empty, not as the text "undefined".
 */
export function readText(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	options?: IGetNodeParameterOptions,
): string {
	const value = ctx.getNodeParameter(name, itemIndex, '', options) as unknown;
	return value === undefined || value === null ? '' : String(value);
}

export function readWaiting(ctx: IExecuteFunctions, itemIndex: number): Waiting {
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, false) as boolean;
	const intervalS = wait ? Number(ctx.getNodeParameter('pollInterval', itemIndex, 10)) : 10;
	const maxWaitS = wait ? Number(ctx.getNodeParameter('maxWaitTime', itemIndex, 600)) : 0;
	return {
		wait,
		intervalMs: Math.max(1, intervalS) * 1000,
		maxWaitMs: Math.max(0, maxWaitS) * 1000,
	};
}

/** Download Video, its field and Download Thumbnail; none where the item has nothing to download. */
export function readDownloads(
	ctx: IExecuteFunctions,
	itemIndex: number,
	applicable = true,
): Downloads {
	if (!applicable || !(ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean))
		return NO_DOWNLOADS;
	const binaryPropertyName = readText(ctx, 'binaryPropertyName', itemIndex).trim();
	if (!binaryPropertyName) {
		throw new NodeOperationError(ctx.getNode(), '"Put Video in Field" is empty', {
			itemIndex,
			description: 'Name the binary field the video goes to, e.g. "data".',
		});
	}
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		downloadVideo: true,
		binaryPropertyName,
		downloadThumbnail: options.downloadThumbnail === true,
	};
}

export interface NodeOptions {
	concurrency: number;
	requestTimeoutMs: number;
}

/** Node-wide options: read from the first item, since they shape the whole batch. */
export function readNodeOptions(ctx: IExecuteFunctions): NodeOptions {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		concurrency: Math.max(1, Number(options.concurrency ?? 5)),
		requestTimeoutMs: options.requestTimeout
			? Math.max(1, Number(options.requestTimeout)) * 1000
			: DEFAULT_TIMEOUT_MS,
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
): Promise<InputFile | undefined> {
	const binaryPropertyName = readText(ctx, parameterName, itemIndex).trim();
	if (!binaryPropertyName) return undefined;
	const item = ctx.getInputData()[itemIndex];
	if (!item.binary?.[binaryPropertyName]) {
		const available = Object.keys(item.binary ?? {});
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} is "${binaryPropertyName}", but the item has no such binary field`,
			{
				itemIndex,
				description: available.length
					? `The item's binary fields are: ${available.join(', ')}.`
					: 'The item has no binary data at all: read the file first (Read Files, or HTTP Request with a "File" response).',
			},
		);
	}
	const meta = ctx.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	return {
		binaryPropertyName,
		data,
		mimeType: meta.mimeType,
		fileName: meta.fileName ?? binaryPropertyName,
	};
}
