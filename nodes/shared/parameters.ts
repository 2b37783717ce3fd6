import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { DEFAULT_TIMEOUT_MS } from './transport';

/** Reading the parameters the nodes share (declared once in descriptions.ts). */

export function readWaitParameters(ctx: IExecuteFunctions, itemIndex: number) {
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, false) as boolean;
	const intervalS = wait ? Number(ctx.getNodeParameter('pollInterval', itemIndex, 10)) : 10;
	const maxWaitS = wait ? Number(ctx.getNodeParameter('maxWaitTime', itemIndex, 600)) : 0;
	return { wait, intervalMs: Math.max(1, intervalS) * 1000, maxWaitMs: Math.max(0, maxWaitS) * 1000 };
}

export function readDownloadParameters(ctx: IExecuteFunctions, itemIndex: number, applicable = true) {
	const downloadVideo = applicable && (ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean);
	const binaryPropertyName = downloadVideo
		? String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim()
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
