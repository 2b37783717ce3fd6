import type { IDataObject } from 'n8n-workflow';

/** Reading provider JSON whose shape varies by host. */

export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a dotted path where a number segment indexes an array: "result.data.0.url". */
export function pick(source: unknown, path: string): unknown {
	let current: unknown = source;
	for (const key of path.split('.')) {
		if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
		else if (isObject(current)) current = current[key];
		else return undefined;
	}
	return current;
}

/** The first path holding a non-empty string. */
export function firstString(source: unknown, paths: readonly string[]): string | null {
	for (const path of paths) {
		const value = pick(source, path);
		if (typeof value === 'string' && value.trim()) return value.trim();
	}
	return null;
}
