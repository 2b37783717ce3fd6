import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
} from 'n8n-workflow';
import { DEFAULT_TIMEOUT_MS } from '../provider/transport';
import { refuserFor, type InputFile } from '../rules/checks';
import { NO_DOWNLOADS, type Downloads } from '../tasks/follow';
import type { Waiting } from '../tasks/polling';
import type { SpendOptions } from '../tasks/spend';

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

/** A numeric parameter's editor label and the range its description allows (typeOptions minValue / maxValue). */
interface NumberRule {
	label: string;
	min: number;
	max: number;
	integer?: boolean;
}

/**
 * The numeric parameters the nodes share. The editor keeps a typed value in range, but an expression can give
 * anything ("ten", nothing at all, -1, 1e9): each is checked here before any request, the way n8n's Wait node
 * checks its amount, and refused with the field, the value and what is allowed.
 */
export const NUMBER_RULES = {
	pollInterval: { label: 'Poll Interval (Seconds)', min: 1, max: 600 },
	maxWaitTime: { label: 'Max Wait (Seconds)', min: 1, max: 86_400 },
	concurrency: { label: 'Concurrency', min: 1, max: 50, integer: true },
	requestTimeout: { label: 'Request Timeout (Seconds)', min: 1, max: 600 },
	maxCredits: { label: 'Max Credits per Execution', min: 0, max: 1e12 },
} satisfies Record<string, NumberRule>;

/**
 * A number within its rule's range. Numbers and numeric text ("10", as an expression over JSON may give) pass;
 * anything else — text, an expression that found nothing, NaN, Infinity, a value out of range — is refused.
 */
export function checkNumber(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: keyof typeof NUMBER_RULES,
	value: unknown,
): number {
	const rule: NumberRule = NUMBER_RULES[name];
	const n =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	if (
		Number.isFinite(n) &&
		n >= rule.min &&
		n <= rule.max &&
		(!rule.integer || Number.isInteger(n))
	)
		return n;
	const allowed = `it must be ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`;
	const refuser = refuserFor(ctx.getNode(), itemIndex, { [name]: rule.label });
	if (value === undefined || value === null || value === '')
		refuser.refuse(
			name,
			`${rule.label} is empty, but ${allowed}`,
			`Set ${rule.label}; if it is an expression, check that it finds a value for this item.`,
		);
	return refuser.notAllowed(name, value, allowed);
}

export function readWaiting(ctx: IExecuteFunctions, itemIndex: number): Waiting {
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, false) as boolean;
	if (!wait) return { wait, intervalMs: 10_000, maxWaitMs: 0 };
	const read = (name: 'pollInterval' | 'maxWaitTime', fallback: number) =>
		checkNumber(ctx, itemIndex, name, ctx.getNodeParameter(name, itemIndex, fallback) as unknown);
	return {
		wait,
		intervalMs: read('pollInterval', 10) * 1000,
		maxWaitMs: read('maxWaitTime', 600) * 1000,
		// Only Sora Generate has the parameter; every other node polls.
		untilCallback: ctx.getNodeParameter('waitMode', itemIndex, 'poll') === 'callback',
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
	spend: SpendOptions;
}

/**
 * Node-wide options: read from the first item, since they shape the whole batch. An option that is not set keeps
 * its default; one that is set (also by an expression that finds nothing) must be in range.
 */
export function readNodeOptions(ctx: IExecuteFunctions): NodeOptions {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		concurrency:
			'concurrency' in options ? checkNumber(ctx, 0, 'concurrency', options.concurrency) : 5,
		requestTimeoutMs:
			'requestTimeout' in options
				? checkNumber(ctx, 0, 'requestTimeout', options.requestTimeout) * 1000
				: DEFAULT_TIMEOUT_MS,
		spend: {
			checkBalance: options.checkBalance === true,
			reportSpend: options.reportSpend === true,
			maxCredits:
				'maxCredits' in options ? checkNumber(ctx, 0, 'maxCredits', options.maxCredits) : 0,
		},
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
