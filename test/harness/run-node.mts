/**
 * Runs one of our nodes in n8n's own engine (n8n-core's WorkflowExecute), as n8n does: a workflow of a
 * start node that feeds the test's items into the node under test. Everything between the two is n8n's:
 * parameter defaults and displayOptions, resource locators, expressions ($json, $('Node').item,
 * $execution.id, $itemIndex), helpers.httpRequestWithAuthentication (calling the credential class's
 * authenticate through a credentials helper), the binary data service in filesystem mode, continueOnFail,
 * cancellation through the execution's abort signal. The real-n8n end-to-end test (e2e/) runs the packed
 * package inside a whole n8n server.
 */
import { readFileSync, statSync } from 'node:fs';
import {
	NodeHelpers,
	type IBinaryData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type ITaskData,
} from 'n8n-workflow';
import type { CredentialFaults } from './credentials-helper.mts';
import { engine, type Cancellation } from './engine.mts';
import { logSink } from './logger.mts';

export interface RunOptions {
	/** Node parameters as a user sets them: one object for every item, or a function of the item index */
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	/** The node's On Error setting (continueOnFail: true is continueRegularOutput) */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/**
	 * Stop the execution (as n8n's Stop button does) as soon as this holds, e.g. once the node logged its submission
	 * (loggedSubmission) or the simulator saw a read: an event, not a delay, so a busy machine stops it at the same point
	 */
	cancelWhen?: (run: { logs: readonly string[] }) => boolean;
	/** n8n's execution id; runs with the same id are retries of one execution (Retry On Fail) */
	executionId?: string;
	/** n8n's execution mode: retry is n8n's Retry of a failed execution (a new execution id, the original's data) */
	mode?: 'manual' | 'retry';
	/** When n8n established the execution; n8n's Retry keeps the original's (default: n8n sets it at the start) */
	establishedAt?: number;
	/** Name of the node under test (default: the node's default name), for $('Name') expressions */
	nodeName?: string;
	/** Tags every API request of this run (header x-sim-label), so the simulator's record tells which run sent it */
	requestLabel?: string;
	/** Name of the start node that feeds the items (default "Start") */
	startNodeName?: string;
	/** n8n's credential service fails this many times first, as while its database restarts (before any request) */
	credentialFaults?: CredentialFaults;
	/** A parked execution is resumed as n8n does when its wait ends (Max Wait); the result is the resumed run's */
	resumeAtMaxWait?: boolean;
}

export interface StoredBinary {
	path: string;
	size: number;
}

export interface RunResult {
	output?: INodeExecutionData[];
	/** Items n8n routed to the node's error output (On Error: Continue (using error output)) */
	errorOutput?: INodeExecutionData[];
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	/** Files in n8n's binary data store that the node's output refers to, by binary id */
	stored: Map<string, StoredBinary>;
	logs: string[];
	/** Wall time of the run (for figures only: no verdict should rest on it, a busy machine stretches it) */
	durationMs: number;
	/** When cancelWhen stopped the execution, and how long the node took to stop after that */
	cancel?: Cancellation;
	/** The whole run as n8n records it: every node's task data, the execution status */
	run: { status: string; taskData?: ITaskData };
}

let executions = 0;
/**
 * When each execution id was established: runs with the same id are attempts of one execution (Retry On Fail), and
 * n8n keeps one start time for all of them.
 */
const establishedAtOf = new Map<string, number>();

/**
 * n8n keeps one parameter set per node, not per item. A test that varies a value by item becomes what a
 * user would write: an expression that picks the item's value by $itemIndex. Each item's set is first
 * completed with n8n's own defaults (NodeHelpers.getNodeParameters), so a field one item leaves out gets
 * the default there.
 */
export function perItemParameters(
	nodeType: INodeType,
	itemCount: number,
	parametersOf: (itemIndex: number) => IDataObject,
): IDataObject {
	const { description } = nodeType;
	const sets = Array.from(
		{ length: itemCount },
		(_, i) =>
			NodeHelpers.getNodeParameters(
				description.properties,
				parametersOf(i) as INodeParameters,
				true,
				false,
				null,
				description,
			) ?? {},
	);
	// The editor offers no expression for these (e.g. Operation): they cannot differ by item in n8n.
	for (const property of description.properties.filter((p) => p.noDataExpression)) {
		const column = sets.map((set) => JSON.stringify(set[property.name]));
		if (column.some((v) => v !== column[0]))
			throw new Error(`perItemParameters: ${property.name} cannot differ by item in n8n`);
	}
	return perItem(sets) as IDataObject;
}

/**
 * Equal values stay as they are. Objects (collections, resource locators) are merged key by key, since n8n
 * reads a collection's options one by one and takes no expression for the whole collection; anything else
 * becomes an expression (undefined where an item leaves the field out; an item's own expression is inlined).
 */
function perItem(values: unknown[]): unknown {
	const literal = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
	if (values.every((v) => literal(v) === literal(values[0]))) return values[0];
	const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
	if (values.every(isObject)) {
		const objects = values as IDataObject[];
		const keys = new Set(objects.flatMap((o) => Object.keys(o)));
		const locatorKey = (key: string) =>
			key === '__rl' || (key === 'mode' && objects.every((o) => o.__rl));
		const merged = [...keys].map((key) => {
			const column = objects.map((o) => o[key]);
			// A resource locator's mode is part of the parameter's shape, not a value: it cannot vary by item.
			if (locatorKey(key) && column.some((v) => v !== column[0]))
				throw new Error(`perItemParameters: resource locator ${key} differs by item`);
			return [key, locatorKey(key) ? column[0] : perItem(column)];
		});
		return Object.fromEntries(merged);
	}
	const snippet = (v: unknown) => {
		if (typeof v !== 'string' || !v.startsWith('=')) return literal(v);
		const inner = /^=\{\{([\s\S]*)\}\}$/.exec(v);
		if (!inner)
			throw new Error(
				`perItemParameters: only whole {{ }} expressions can differ by item, not ${v}`,
			);
		return `(${inner[1]})`;
	};
	return `={{ [${values.map(snippet).join(', ')}][$itemIndex] }}`;
}

export async function runNode(
	NodeClass: new () => INodeType,
	options: RunOptions,
): Promise<RunResult> {
	const { executeOne } = await engine();
	const executionId = options.executionId ?? `test-${process.pid}-${++executions}`;
	let establishedAt = options.establishedAt;
	if (establishedAt === undefined && options.mode !== 'retry') {
		establishedAt = establishedAtOf.get(executionId) ?? Date.now();
		establishedAtOf.set(executionId, establishedAt);
	}
	const nodeType = new NodeClass();
	const items = options.items ?? [{ json: {} }];
	const parameters =
		typeof options.parameters === 'function'
			? perItemParameters(nodeType, items.length, options.parameters)
			: options.parameters;
	const name =
		options.nodeName ?? nodeType.description.defaults.name ?? nodeType.description.displayName;
	const node: INode = {
		id: 'node-under-test',
		name,
		type: `n8n-nodes-sora.${nodeType.description.name}`,
		typeVersion: Math.max(...[nodeType.description.version].flat()),
		position: [200, 0],
		parameters: structuredClone(parameters) as INodeParameters,
		credentials: { soraApi: { id: 'sora-test', name: 'Sora API (test)' } },
		onError: options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined),
	};
	const logs: string[] = [];
	const { cancelWhen } = options;
	const started = Date.now();
	const outcome = await logSink.run(logs, () =>
		executeOne({
			nodeType,
			node,
			items,
			credentials: options.credentials,
			executionId,
			startNodeName: options.startNodeName ?? 'Start',
			mode: options.mode,
			establishedAt,
			cancelWhen: cancelWhen && (() => cancelWhen({ logs })),
			requestLabel: options.requestLabel,
			credentialFaults: options.credentialFaults,
			resumeAtMaxWait: options.resumeAtMaxWait,
		}),
	);
	const durationMs = Date.now() - started;
	const taskData = outcome.taskData;
	const output = taskData?.data?.main?.[0] ?? undefined;
	const errorOutput =
		node.onError === 'continueErrorOutput' ? (taskData?.data?.main?.[1] ?? []) : undefined;
	const error = (taskData?.error ?? outcome.workflowError) as RunResult['error'];
	return {
		output: error ? undefined : (output ?? []),
		errorOutput,
		error,
		stored: storedFiles([...(output ?? []), ...(errorOutput ?? [])], outcome.pathOf),
		logs,
		durationMs,
		cancel: outcome.cancel,
		run: { status: outcome.status, taskData },
	};
}

function storedFiles(
	output: INodeExecutionData[],
	pathOf: (id: string) => string,
): Map<string, StoredBinary> {
	const stored = new Map<string, StoredBinary>();
	for (const item of output) {
		for (const binary of Object.values(item.binary ?? {})) {
			if (!binary.id) continue;
			const path = pathOf(binary.id);
			stored.set(binary.id, { path, size: statSync(path).size });
		}
	}
	return stored;
}

export function readStored(result: RunResult, binary: IBinaryData | undefined): Buffer {
	const entry = binary?.id ? result.stored.get(binary.id) : undefined;
	if (!entry) throw new Error(`no stored binary for ${binary?.id}`);
	return readFileSync(entry.path);
}
