/**
 * n8n-core set up once per test process, the way an n8n instance sets itself up: its own user folder
 * (settings and encryption key), the binary data service in filesystem mode, a logger. Then each run is a
 * real WorkflowExecute over a two-node Workflow: Start → node under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	ITaskData,
	IWebhookData,
	IWebhookFunctions,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { SoraApi } from '../../credentials/SoraApi.credentials';
import { TestCredentialsHelper, type CredentialFaults } from './credentials-helper.mts';
import { captureLogger } from './logger.mts';
import { HANG_GUARD_MS, WaitTimeout, waitUntil } from './wait.mts';

export interface ExecuteOne {
	nodeType: INodeType;
	node: INode;
	items: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	executionId: string;
	startNodeName: string;
	/** n8n's execution mode (default manual; retry: n8n's Retry of a failed execution) */
	mode?: 'manual' | 'retry';
	/** When n8n established the execution (its runtime data); n8n's Retry keeps the original's. Default: now */
	establishedAt?: number;
	credentialFaults?: CredentialFaults;
	/** Tags every API request of this execution (header x-sim-label; see SoraSimulator's RecordedRequest.label) */
	requestLabel?: string;
	/** Stop the execution (as n8n's Stop button does) as soon as this holds; checked every 10 ms while it runs */
	cancelWhen?: () => boolean;
	/**
	 * An execution the node parked is resumed as n8n's wait tracker resumes it when the wait ends (Max Wait): the same
	 * execution data run on, which passes the node through with the items it left on the stack
	 */
	resumeAtMaxWait?: boolean;
}

export interface Cancellation {
	/** When the execution was stopped */
	at: number;
	/** false: the condition never held, and the execution was stopped by the hang guard instead */
	conditionMet: boolean;
	/** From the stop to the moment the node under test handed n8n its result (undefined: it never did) */
	nodeStoppedAfterMs?: number;
}

export interface ExecuteOutcome {
	/** n8n's record of the node under test: output items or error */
	taskData?: ITaskData;
	/** an error of the workflow itself (e.g. it could not start) */
	workflowError?: Error;
	status: string;
	pathOf: (binaryId: string) => string;
	cancel?: Cancellation;
}

const START_TYPE = 'n8n-nodes-sora-test.start';

/** The start node: outputs the test's items, like a Manual Trigger followed by a Code node would. */
function startNodeType(items: INodeExecutionData[]): INodeType {
	return {
		description: {
			displayName: 'Start',
			name: 'start',
			group: ['input'],
			version: 1,
			description: 'Feeds the test items',
			defaults: { name: 'Start' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			// Every item comes from the start node's one input item, as after a Manual Trigger.
			return [items.map((item) => ({ ...structuredClone(item), pairedItem: { item: 0 } }))];
		},
	};
}

type Core = typeof import('n8n-core');
type WorkflowLib = typeof import('n8n-workflow');

/** One request to a webhook node, as n8n's webhook server hands it over (the raw body already read). */
export interface WebhookRequest {
	nodeType: INodeType;
	node: INode;
	credentials: ICredentialDataDecryptedObject;
	/** The workflow's static data, kept by the caller across requests as n8n keeps it in its database */
	staticData: IDataObject;
	request: unknown;
	response: unknown;
}

let setup:
	| Promise<{
			executeOne: (run: ExecuteOne) => Promise<ExecuteOutcome>;
			webhookContext: (request: WebhookRequest) => {
				context: IWebhookFunctions;
				savedStaticData: () => IDataObject;
			};
			pathOf: (binaryId: string) => string;
	  }>
	| undefined;

export function engine() {
	setup ??= start();
	return setup;
}

async function start() {
	// n8n reads its folders from the environment when its services are first built.
	const userFolder = mkdtempSync(join(tmpdir(), 'sora-n8n-core-'));
	process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = join(userFolder, 'binary-data');
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
	const { Container } = await import('@n8n/di');
	const { Logger } = await import('@n8n/backend-common');
	Container.set(Logger, captureLogger as never);
	const core = await import('n8n-core');
	const lib = await import('n8n-workflow');
	lib.LoggerProxy.init(captureLogger); // n8n's own log lines (the engine's) go to the run's log too
	const binaryData = Container.get(core.BinaryDataService);
	await binaryData.init();
	const pathOf = (id: string) => binaryData.getPath(id);

	async function executeOne(run: ExecuteOne): Promise<ExecuteOutcome> {
		const { workflow, start } = twoNodeWorkflow(lib, run);
		// Each execution has its own credentials helper: executions may overlap in one process (batches run side by
		// side; a test that outlived its timeout still runs), and one must never see another's credential.
		const credentialsHelper = new TestCredentialsHelper(
			{ soraApi: new SoraApi() },
			run.requestLabel,
		);
		credentialsHelper.setCredentials({ soraApi: run.credentials }, run.credentialFaults);
		const { hooks, nodeUnderTest } = hooksFor(core, workflow, run);
		const additionalData = {
			...INSTANCE,
			credentialsHelper,
			hooks,
			executionId: run.executionId,
			workflowId: workflow.id,
		};
		const runExecutionData = lib.createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: start, data: { main: [[{ json: {} }]] }, source: null }],
				// saved runtime data is kept by n8n (as on a Retry); without it n8n establishes it now
				...(run.establishedAt === undefined
					? {}
					: {
							runtimeData: {
								version: 1 as const,
								establishedAt: run.establishedAt,
								source: run.mode ?? 'manual',
							},
						}),
			},
		});
		const execute = new core.WorkflowExecute(
			additionalData as unknown as IWorkflowExecuteAdditionalData,
			run.mode ?? 'manual',
			runExecutionData,
		);
		let running: ReturnType<typeof execute.processRunExecutionData>;
		try {
			running = execute.processRunExecutionData(workflow);
		} catch (error) {
			// n8n refuses to start a workflow whose nodes have issues (e.g. a required parameter left empty).
			return { workflowError: error as Error, status: 'error', pathOf };
		}
		let cancel: Cancellation | undefined;
		let ended = false;
		const canceller =
			run.cancelWhen &&
			stopWhen(
				run.cancelWhen,
				() => ended,
				(conditionMet) => {
					cancel = { at: Date.now(), conditionMet };
					running.cancel();
				},
			);
		let result: IRun;
		let workflowEndedAt: number;
		try {
			result = await running;
			if (run.resumeAtMaxWait && result.status === 'waiting') {
				const resumed = new core.WorkflowExecute(
					additionalData as unknown as IWorkflowExecuteAdditionalData,
					run.mode ?? 'manual',
					result.data,
				);
				result = await resumed.processRunExecutionData(workflow);
			}
		} finally {
			workflowEndedAt = Date.now();
			ended = true;
			await canceller;
		}
		// A cancelled execution ends before its node has wound down; n8n still records what the node did. Wait for the
		// node itself (the guard only ends a hang: a node that never stops fails its test for want of a result).
		if (result.status === 'canceled' && !nodeUnderTest.taskData)
			await Promise.race([nodeUnderTest.finished, delay(HANG_GUARD_MS)]);
		// When the node stopped: its own hook, or else (n8n ended the execution with the node's error, without the
		// hook) the end of the execution, which that error caused.
		const nodeStoppedAt =
			nodeUnderTest.finishedAt ?? (result.status === 'canceled' ? undefined : workflowEndedAt);
		if (cancel && nodeStoppedAt !== undefined)
			cancel.nodeStoppedAfterMs = nodeStoppedAt - cancel.at;
		const { taskData } = nodeUnderTest;
		const workflowError = taskData
			? undefined
			: (result.data.resultData.error as Error | undefined);
		return { taskData, workflowError, status: result.status, pathOf, cancel };
	}
	/** n8n-core's own WebhookContext for one request, over a workflow of just the webhook node. */
	function webhookContext(hook: WebhookRequest) {
		const nodeTypes: INodeTypes = {
			getByName: () => hook.nodeType,
			getByNameAndVersion: () => hook.nodeType,
			getKnownTypes: () => ({}),
		};
		const workflow = new lib.Workflow({
			id: 'sora-test-webhook-workflow',
			name: 'Sora webhook test',
			nodes: [hook.node],
			connections: {},
			active: true,
			nodeTypes,
			staticData: hook.staticData,
			settings: { executionOrder: 'v1' },
		});
		// Each request its own credentials helper: deliveries arrive side by side, and while node runs go on.
		const credentialsHelper = new TestCredentialsHelper({ soraApi: new SoraApi() });
		credentialsHelper.setCredentials({ soraApi: hook.credentials });
		const additionalData = {
			...INSTANCE,
			credentialsHelper,
			httpRequest: hook.request,
			httpResponse: hook.response,
			workflowId: workflow.id,
		};
		const description = hook.nodeType.description.webhooks![0];
		const webhookData = {
			httpMethod: 'POST',
			node: hook.node.name,
			path: description.path,
			webhookDescription: description,
			workflowId: workflow.id,
		} as IWebhookData;
		const context = new core.WebhookContext(
			workflow,
			hook.node,
			additionalData as unknown as IWorkflowExecuteAdditionalData,
			'webhook',
			webhookData,
			[],
			null,
		);
		// What n8n writes to its database after the request: the workflow's static data, as plain JSON.
		const savedStaticData = () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		return { context, savedStaticData };
	}
	return { executeOne, webhookContext, pathOf };
}

/** Start → node under test, with node types that know just these two. */
function twoNodeWorkflow(lib: WorkflowLib, run: ExecuteOne) {
	const start: INode = {
		id: 'start',
		name: run.startNodeName,
		type: START_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const types: Record<string, INodeType> = {
		[START_TYPE]: startNodeType(run.items),
		[run.node.type]: run.nodeType,
	};
	const nodeTypes: INodeTypes = {
		getByName: (type) => types[type],
		getByNameAndVersion: (type) => types[type],
		getKnownTypes: () => ({}),
	};
	const workflow = new lib.Workflow({
		id: 'sora-test-workflow',
		name: 'Sora test',
		nodes: [start, run.node],
		connections: { [start.name]: { main: [[{ node: run.node.name, type: 'main', index: 0 }]] } },
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	return { workflow, start };
}

/** n8n's lifecycle hooks for the run; they hand over the node's task data (output or error) when it has run. */
function hooksFor(core: Core, workflow: Workflow, run: ExecuteOne) {
	const workflowData = {
		...{
			id: workflow.id,
			name: workflow.name,
			nodes: Object.values(workflow.nodes),
			connections: workflow.connectionsBySourceNode,
		},
		...{
			active: false,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
			activeVersionId: null,
		},
	};
	const hooks = new core.ExecutionLifecycleHooks(
		run.mode ?? 'manual',
		run.executionId,
		workflowData as never,
	);
	const nodeUnderTest: { taskData?: ITaskData; finished: Promise<void>; finishedAt?: number } = {
		finished: Promise.resolve(),
	};
	nodeUnderTest.finished = new Promise<void>((resolve) =>
		hooks.addHandler('nodeExecuteAfter', (nodeName, data) => {
			if (nodeName !== run.node.name) return;
			nodeUnderTest.finishedAt = Date.now();
			nodeUnderTest.taskData = data;
			resolve();
		}),
	);
	return { hooks, nodeUnderTest };
}

/** What an n8n instance tells every execution about itself (URLs are never called by these nodes). */
const BASE = 'http://127.0.0.1:5678';
const INSTANCE = {
	currentNodeExecutionIndex: 0,
	restApiUrl: `${BASE}/rest`,
	instanceBaseUrl: `${BASE}/`,
	formBaseUrl: `${BASE}/form`,
	formWaitingBaseUrl: `${BASE}/form-waiting`,
	formTestBaseUrl: `${BASE}/form-test`,
	webhookBaseUrl: `${BASE}/webhook`,
	webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
	webhookTestBaseUrl: `${BASE}/webhook-test`,
	mcpBaseUrl: `${BASE}/mcp`,
	mcpTestBaseUrl: `${BASE}/mcp-test`,
	variables: {},
	executeWorkflow: async () => {
		throw new Error('sub-workflows are not part of these tests');
	},
	getRunExecutionData: async () => undefined,
	getRuntimeCredential: async () => undefined,
	logAiEvent: () => undefined,
};

/**
 * Stops the execution once `condition` holds (or, should it never hold, after the hang guard), unless it ended first.
 * `stop` gets whether the condition was met.
 */
async function stopWhen(
	condition: () => boolean,
	ended: () => boolean,
	stop: (conditionMet: boolean) => void,
): Promise<void> {
	try {
		await waitUntil(() => ended() || condition(), 'the condition to stop the execution');
		if (!ended()) stop(true);
	} catch (error) {
		if (!(error instanceof WaitTimeout)) throw error;
		if (!ended()) stop(false);
	}
}

function delay(ms: number) {
	return new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
}
