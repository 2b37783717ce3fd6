/**
 * Runs one of our nodes outside n8n, the way n8n's engine would: real parameters (with the node
 * description's defaults), the real credential class (its authenticate() builds the auth header), and
 * HTTP through axios with n8n's own conversion rules (see @n8n/backend-network convertN8nRequestToAxios),
 * including its habit of re-sending Authorization on cross-origin redirects. The real-n8n end-to-end
 * test (e2e/) checks the same nodes inside n8n itself.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import { createWriteStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
	NodeApiError,
	type IBinaryData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type JsonObject,
} from 'n8n-workflow';
import { SoraApi } from '../../credentials/SoraApi.credentials';

export interface RunOptions {
	/** Node parameters: one object for every item, or a function of the item index */
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	/** The node's On Error setting; continueRegularOutput / continueErrorOutput imply continueOnFail */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Cancel the execution after this many ms */
	cancelAfterMs?: number;
	/** n8n's execution id; runs with the same id are retries of one execution (Retry On Fail) */
	executionId?: string;
}

export interface StoredBinary {
	path: string;
	size: number;
}

export interface RunResult {
	output?: INodeExecutionData[];
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	/** Files written by prepareBinaryData, by binary id */
	stored: Map<string, StoredBinary>;
	logs: string[];
	durationMs: number;
}

function propertyDefault(properties: INodeProperties[], name: string): unknown {
	const prop = properties.find((p) => p.name === name);
	if (!prop) return undefined;
	return prop.default;
}

function resolveExpression(value: unknown, item: INodeExecutionData): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const m = /^=\{\{\s*\$json\.([\w.]+)\s*\}\}$/.exec(value);
	if (!m) return value.slice(1);
	return m[1].split('.').reduce<unknown>((acc, key) => (acc as IDataObject | undefined)?.[key], item.json);
}

const storageDir = mkdtempSync(join(tmpdir(), 'sora-test-binary-'));
let stored = 0;
let executions = 0;

/** n8n's helpers.httpRequest, reproduced on axios (the library n8n uses underneath). */
export async function n8nStyleHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
	const config: AxiosRequestConfig = {
		url: options.url,
		baseURL: options.baseURL,
		method: options.method ?? 'GET',
		headers: { ...(options.headers as Record<string, string>) },
		params: options.qs,
		timeout: options.timeout,
		signal: options.abortSignal as AbortSignal | undefined,
		maxBodyLength: Infinity,
		maxContentLength: Infinity,
	};
	if (options.disableFollowRedirect) config.maxRedirects = 0;
	if (options.encoding) config.responseType = options.encoding as AxiosRequestConfig['responseType'];
	if (options.body !== undefined && (options.method ?? 'GET') !== 'GET') config.data = options.body;
	if (options.json && !Object.keys(config.headers ?? {}).some((k) => k.toLowerCase() === 'accept')) {
		(config.headers as Record<string, string>).Accept = 'application/json';
	}
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	const authorization = (config.headers as Record<string, string>).Authorization;
	config.beforeRedirect = (redirected: Record<string, any>) => {
		// As n8n does: cross-origin redirects keep Authorization unless sendCredentialsOnCrossOriginRedirect is false.
		if ((options.sendCredentialsOnCrossOriginRedirect ?? true) && authorization) redirected.headers.Authorization = authorization;
	};
	const response = await axios.request(config);
	if (options.returnFullResponse) {
		return { body: response.data, headers: response.headers, statusCode: response.status, statusMessage: response.statusText };
	}
	return response.data;
}

export async function runNode(NodeClass: new () => INodeType, options: RunOptions): Promise<RunResult> {
	const nodeType = new NodeClass();
	const description = nodeType.description;
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const credentialType = new SoraApi();
	const controller = new AbortController();
	const logs: string[] = [];
	const storedFiles = new Map<string, StoredBinary>();
	const node: INode = {
		id: 'test-node',
		name: description.defaults.name ?? description.displayName,
		type: `n8n-nodes-sora.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		onError: options.onError,
	};
	const executionId = options.executionId ?? `test-${++executions}`;
	const paramsOf = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;

	const ctx = {
		getNode: () => node,
		getExecutionId: () => executionId,
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail ?? (options.onError !== undefined && options.onError !== 'stopWorkflow'),
		getExecutionCancelSignal: () => controller.signal,
		onExecutionCancellation: () => undefined,
		getCredentials: async () => ({ ...options.credentials }),
		logger: {
			debug: (m: string) => logs.push(m),
			info: (m: string) => logs.push(m),
			warn: (m: string) => logs.push(m),
			error: (m: string) => logs.push(m),
		},
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown, options?: { extractValue?: boolean }) {
			const params = paramsOf(itemIndex);
			const [head, ...rest] = name.split('.');
			let value: unknown = params[head];
			if (value === undefined) value = propertyDefault(description.properties, head);
			for (const key of rest) value = (value as IDataObject | undefined)?.[key];
			if (options?.extractValue && value && typeof value === 'object' && '__rl' in value) value = (value as IDataObject).value;
			if (options?.extractValue && value && typeof value === 'object' && 'mode' in value) value = (value as IDataObject).value;
			value = resolveExpression(value, items[itemIndex]);
			return value === undefined ? fallback : value;
		},
		helpers: {
			httpRequest: n8nStyleHttpRequest,
			assertBinaryData(itemIndex: number, property: string) {
				const binary = items[itemIndex].binary?.[property];
				if (!binary) throw new Error(`no binary field ${property}`);
				return binary;
			},
			async getBinaryDataBuffer(itemIndex: number, property: string) {
				return Buffer.from(items[itemIndex].binary![property].data, 'base64');
			},
			async httpRequestWithAuthentication(_type: string, requestOptions: IHttpRequestOptions) {
				requestOptions.abortSignal = controller.signal;
				const authenticated = await credentialType.authenticate(options.credentials, requestOptions);
				try {
					return await n8nStyleHttpRequest(authenticated);
				} catch (error) {
					throw new NodeApiError(node, error as JsonObject);
				}
			},
			async prepareBinaryData(data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> {
				const path = join(storageDir, `${++stored}`);
				await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, createWriteStream(path));
				const size = statSync(path).size;
				const id = `filesystem-v2:test/${stored}`;
				storedFiles.set(id, { path, size });
				return {
					id,
					data: 'filesystem-v2',
					fileName,
					mimeType: mimeType ?? 'application/octet-stream',
					fileSize: `${size} B`,
					bytes: size,
					fileExtension: fileName?.split('.').pop(),
				} as IBinaryData;
			},
		},
	};

	if (options.cancelAfterMs !== undefined) setTimeout(() => controller.abort(), options.cancelAfterMs);
	const started = Date.now();
	try {
		const output = await nodeType.execute!.call(ctx as never);
		return { output: (output as INodeExecutionData[][])[0], stored: storedFiles, logs, durationMs: Date.now() - started };
	} catch (error) {
		return { error: error as RunResult['error'], stored: storedFiles, logs, durationMs: Date.now() - started };
	}
}

export function readStored(result: RunResult, binary: IBinaryData | undefined): Buffer {
	const entry = binary?.id ? result.stored.get(binary.id) : undefined;
	if (!entry) throw new Error(`no stored binary for ${binary?.id}`);
	return readFileSync(entry.path);
}
