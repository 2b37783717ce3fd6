/**
 * The three On Error settings of n8n, for every kind of failure, in a real n8n: which output each failed item
 * reaches, with its task id, and whether each message says only what is true. Workflows and checks for
 * e2e/suites/1-regular.e2e.mts.
 */
import type { ExecutionResult, WorkflowSpec } from '../harness/n8n.mts';
import { fail } from '../harness/checks.mts';

const wait = { waitForCompletion: true, pollInterval: 1, maxWaitTime: 20 };
const sora = (type: string) => `n8n-nodes-sora.${type}`;

interface Kind {
	label: string;
	type: string;
	parameters: Record<string, unknown>;
	message: RegExp;
	id: 'none' | 'created' | 'seeded' | string;
	stillRunning: boolean;
	seeded?: boolean;
	wrongKey?: boolean;
	dataInStop?: boolean;
}

/** Each failure: the node, its parameters, and what its error must (not) say. */
export const KINDS: Record<string, Kind> = {
	invalid: { label: 'refused before sending', type: 'soraGenerate', parameters: { model: { __rl: true, mode: 'list', value: 'sora-2' }, prompt: 'x', duration: 12 }, message: /Duration is 12, but sora-2 allows/, id: 'none', stillRunning: false },
	timeout: { label: 'wait timed out', type: 'soraGenerate', parameters: { model: { __rl: true, mode: 'list', value: 'sora-2' }, prompt: 'slow [sim:stuck]', ...wait, maxWaitTime: 2 }, message: /did not finish within 2 s/, id: 'created', stillRunning: true },
	failed: { label: 'task ended failed', type: 'soraGenerate', parameters: { model: { __rl: true, mode: 'list', value: 'sora-2' }, prompt: 'refused [sim:fail]', ...wait }, message: /^Sora task \S+ failed: .*content policy/, id: 'created', stillRunning: false, dataInStop: true },
	unknown: { label: 'unknown task (404)', type: 'soraTaskStatus', parameters: { taskId: 'video_doesnotexist0000', ...wait }, message: /Task not found \(404\)/, id: 'video_doesnotexist0000', stillRunning: false },
	wrongKey: { label: 'rejected key (401)', type: 'soraTaskStatus', parameters: { taskId: '={{ $json.id }}' }, seeded: true, wrongKey: true, message: /rejected the API key \(401\)/, id: 'seeded', stillRunning: false },
	expired: { label: 'download failed (expired video)', type: 'soraTaskStatus', parameters: { taskId: '={{ $json.id }}', ...wait, downloadVideo: true, binaryPropertyName: 'video' }, seeded: true, message: /gone or its link has expired \(403\)/, id: 'seeded', stillRunning: false },
};
const MODES = { regular: 'continueRegularOutput', errorOutput: 'continueErrorOutput' } as const;

export const CONTINUE_WORKFLOW = 'soraE2eOnErrCont';
export const stopWorkflowId = (key: string) => `soraE2eOnErS${key.slice(0, 4)}`;

function workflow(id: string, name: string, nodes: WorkflowSpec['nodes'], connections: Record<string, any>): WorkflowSpec {
	return { id, name, active: false, settings: { executionOrder: 'v1' }, nodes, connections, pinData: {} };
}

/** The Continue workflow (every kind, both modes, in one execution) and one Stop Workflow workflow per kind */
export function onErrorWorkflows(simUrl: string, credId: string, wrongCredId: string): WorkflowSpec[] {
	let n = 0;
	const node = (name: string, type: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: `0e0e0e0e-0000-4000-8000-${String(++n).padStart(12, '0')}`, name, type, typeVersion: 1, position: [n * 200, 0], parameters, ...extra,
	});
	const start = () => node('Start', 'n8n-nodes-base.manualTrigger', {});
	// A finished task whose video link expires 1 ms after it finishes: read fine, download refused.
	const seed = () =>
		node('Seed Task', 'n8n-nodes-base.httpRequest', { method: 'POST', url: `${simUrl}/__sim/tasks`, sendBody: true, specifyBody: 'json', jsonBody: '{"flavor":"toapis","scenario":{"durationMs":0,"expiresAfterMs":1}}', options: {} }, { typeVersion: 4.2 });
	const soraNode = (name: string, kind: Kind, onError?: string) =>
		node(name, sora(kind.type), { ...kind.parameters, options: {} }, { ...(onError ? { onError } : {}), credentials: { soraApi: { id: kind.wrongKey ? wrongCredId : credId, name: 'Sora' } } });

	const nodes: WorkflowSpec['nodes'] = [start(), seed()];
	const connections: Record<string, any> = { Start: { main: [[{ node: 'Seed Task', type: 'main', index: 0 }]] }, 'Seed Task': { main: [[]] } };
	for (const [mode, onError] of Object.entries(MODES)) {
		for (const [key, kind] of Object.entries(KINDS)) {
			const name = `${key} ${mode}`;
			nodes.push(soraNode(name, kind, onError));
			(kind.seeded ? connections['Seed Task'].main[0] : connections.Start.main[0]).push({ node: name, type: 'main', index: 0 });
			if (mode === 'errorOutput') {
				nodes.push(node(`${name} → error branch`, 'n8n-nodes-base.noOp', {}));
				connections[name] = { main: [[], [{ node: `${name} → error branch`, type: 'main', index: 0 }]] };
			}
		}
	}
	const workflows = [workflow(CONTINUE_WORKFLOW, 'E2E: On Error (continue modes)', nodes, connections)];
	for (const [key, kind] of Object.entries(KINDS)) {
		n = 0;
		const stopNodes = [start(), seed(), soraNode('Sora', kind)];
		const stopConnections = { Start: { main: [[{ node: 'Seed Task', type: 'main', index: 0 }]] }, 'Seed Task': { main: [[{ node: 'Sora', type: 'main', index: 0 }]] } };
		workflows.push(workflow(stopWorkflowId(key), `E2E: On Error stop (${key})`, stopNodes, stopConnections));
	}
	return workflows;
}

/** The task id an item must carry, given the kind and the execution's data. */
function expectedId(kind: Kind, runData: ExecutionResult['data']['resultData']['runData']): string | RegExp | undefined {
	if (kind.id === 'none') return undefined;
	if (kind.id === 'seeded') return runData['Seed Task'][0].data!.main[0]![0].json.id as string;
	if (kind.id === 'created') return /video_[0-9a-f]{8,}/;
	return kind.id;
}
const idMatches = (want: string | RegExp, got: unknown) => (want instanceof RegExp ? want.test(String(got)) : want === got);

export function checkContinue(result: ExecutionResult | undefined): string {
	if (!result) fail('no run data');
	const runData = result.data.resultData.runData;
	const problems: string[] = [];
	for (const [key, kind] of Object.entries(KINDS)) {
		const want = expectedId(kind, runData);
		for (const mode of Object.keys(MODES)) {
			const main = runData[`${key} ${mode}`]?.[0]?.data?.main ?? [];
			const [success = [], errors = []] = main.map((m) => m ?? []);
			const where = `${kind.label}, ${mode}`;
			// A failed task is data in regular mode (as before); everything else is an item with `error`.
			const toErrorOutput = mode === 'errorOutput';
			const [item] = toErrorOutput ? errors : success;
			if ((toErrorOutput ? success : errors).length || !item) {
				problems.push(`${where}: ${success.length} success / ${errors.length} error items`);
				continue;
			}
			if (toErrorOutput && runData[`${key} ${mode} → error branch`]?.[0]?.data?.main[0]?.length !== 1) problems.push(`${where}: nothing reached the node on the error branch`);
			// On the error output the task JSON is under `details` (n8n keeps only error/message/details there);
			// n8n 1.x keeps only `error`, so there it is under `error.details`
			const task = toErrorOutput ? (item.json.details ?? item.json.error?.details ?? {}) : item.json;
			if (want && !idMatches(want, task.id)) problems.push(`${where}: task id ${task.id}`);
			// On the regular output a failed task is plain data: its `error` is the provider's code and message.
			const message = key === 'failed' && !toErrorOutput ? `Sora task ${task.id} failed: ${item.json.error?.message}` : (item.json.error?.message ?? '');
			if (!kind.message.test(message)) problems.push(`${where}: message "${message}"`);
			const description = String(item.json.error?.description ?? '');
			if (/keeps running/.test(description) !== kind.stillRunning) problems.push(`${where}: "keeps running" ${kind.stillRunning ? 'missing' : 'said falsely'}: ${description}`);
		}
	}
	if (problems.length) fail(problems.join('\n'));
	return `${Object.keys(KINDS).length} failure kinds × 2 Continue modes: error output → error branch, regular → main output with \`error\`; task ids kept; "keeps running" said only for the timeout`;
}

export function checkStop(key: string, result: ExecutionResult | undefined, raw: string): string {
	const kind = KINDS[key];
	const runData = result?.data?.resultData?.runData ?? {};
	if (kind.dataInStop) {
		const item = runData.Sora?.[0]?.data?.main?.[0]?.[0];
		if (!item || item.json.status !== 'failed') fail(`expected the failed task as data, got ${JSON.stringify(item?.json ?? null).slice(0, 300)}`);
		return `${kind.label}: the execution succeeds with the task as data, status failed (${item.json.id})`;
	}
	const error = result?.data?.resultData?.error;
	const text = error ? `${error.message} ${error.description ?? ''}` : raw;
	if (!kind.message.test(error?.message ?? raw)) fail(`message: ${(error?.message ?? raw).slice(0, 300)}`);
	const want = expectedId(kind, runData);
	if (want && !(want instanceof RegExp ? want.test(text) : text.includes(want))) fail(`the task id is not in the error: ${text.slice(0, 400)}`);
	if (/keeps running/.test(text) !== kind.stillRunning) fail(`"keeps running" ${kind.stillRunning ? 'missing' : 'said falsely'}: ${text.slice(0, 400)}`);
	return `${kind.label}: the execution stops with "${error?.message ?? kind.message}"`;
}
