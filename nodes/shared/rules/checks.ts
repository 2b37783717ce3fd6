import { NodeOperationError, type INode } from 'n8n-workflow';

/** What every validator shares: how refusals are worded, and the shapes of ids, URLs and time ranges. */

export const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{2,200}$/;
export const HTTP_URL = /^https?:\/\/[^\s/]+[^\s]*$/i;

/** A file from the item's binary data, as read by the node before validation. */
export interface InputFile {
	binaryPropertyName: string;
	data: Buffer;
	mimeType: string;
	fileName: string;
}

/** A value as a refusal quotes it: strings in quotes, shortened. */
export function show(value: unknown): string {
	if (typeof value === 'string')
		return `"${value.length > 80 ? value.slice(0, 77) + '...' : value}"`;
	// JSON would say null for NaN and Infinity
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	return JSON.stringify(value);
}

/** Refusals that name the field (by its editor label), the value given and what is allowed. */
export interface Refuser {
	refuse(field: string, message: string, description: string): never;
	notAllowed(field: string, value: unknown, allowed: string, hint?: string): never;
}

export function refuserFor(
	node: INode,
	itemIndex: number,
	fieldNames: Record<string, string>,
): Refuser {
	const refuse = (field: string, message: string, description: string): never => {
		throw new NodeOperationError(node, message, {
			itemIndex,
			description: `${description} (field "${fieldNames[field] ?? field}")`,
		});
	};
	return {
		refuse,
		notAllowed: (field, value, allowed, hint = '') =>
			refuse(
				field,
				`${fieldNames[field] ?? field} is ${show(value)}, but ${allowed}`,
				hint || `Change ${fieldNames[field] ?? field} and run again.`,
			),
	};
}

/** "start,end" in seconds, e.g. "1,3" or "1.5, 3.5"; undefined when the text has another shape. */
export function parseSecondsRange(
	text: string,
): { start: number; end: number; text: string } | undefined {
	const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
	return m ? { start: Number(m[1]), end: Number(m[2]), text: `${m[1]},${m[2]}` } : undefined;
}
