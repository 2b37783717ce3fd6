/**
 * Workflows and credentials for the real-n8n runs: the e2e/workflows templates filled in, the shipped examples
 * bound to a test credential, and the queue-mode workflows.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialSpec, WorkflowSpec } from './n8n.mts';
import { EXAMPLES, ROOT } from './paths.mts';

export type Flavor = 'toapis' | 'openaiCompatible' | 'azure';

/** A Sora credential for the simulator (or any host) */
export function soraCredential(id: string, flavor: Flavor, baseUrl: string, apiKey: string, extra: Record<string, unknown> = {}, name = `Sora (${flavor})`): CredentialSpec {
	return { id, name, type: 'soraApi', data: { apiFlavor: flavor, baseUrl, apiKey, ...extra } };
}

/** e2e/workflows/<name>.template.json with its placeholders filled in */
export function fromTemplate(name: string, values: { id: string; flavor: Flavor; credentialId: string; simUrl?: string; simCdnUrl?: string; model?: string; duration?: number }): WorkflowSpec {
	const text = readFileSync(join(ROOT, 'e2e', 'workflows', `${name}.template.json`), 'utf8')
		.replaceAll('__WF_ID__', values.id)
		.replaceAll('__FLAVOR__', values.flavor)
		.replaceAll('__CRED_ID__', values.credentialId)
		.replaceAll('__SIM_URL__', values.simUrl ?? '')
		.replaceAll('__SIM_CDN__', values.simCdnUrl ?? '')
		.replaceAll('__MODEL__', values.model ?? '')
		.replaceAll('__DURATION__', String(values.duration ?? 0));
	return JSON.parse(text) as WorkflowSpec;
}

export interface ExampleOptions {
	/** Poll interval (s) of the Sora nodes, and the amount of every Wait node */
	poll?: number;
	/** Text replacements applied to the example's JSON first (URLs, paths) */
	replace?: Record<string, string>;
	credentialName?: string;
}

/** examples/<file> with a fixed id, bound to a test credential, polling faster */
export function example(file: string, id: string, credentialId: string, options: ExampleOptions = {}): WorkflowSpec {
	let text = readFileSync(join(EXAMPLES, file), 'utf8');
	for (const [from, to] of Object.entries(options.replace ?? {})) text = text.split(from).join(to);
	const wf = JSON.parse(text) as WorkflowSpec;
	wf.id = id;
	for (const node of wf.nodes) {
		const credentials = node.credentials as Record<string, unknown> | undefined;
		if (credentials?.soraApi) credentials.soraApi = { id: credentialId, name: options.credentialName ?? 'Sora API account' };
		if (options.poll && node.parameters.pollInterval) node.parameters.pollInterval = options.poll;
		if (options.poll && node.type === 'n8n-nodes-base.wait') node.parameters.amount = options.poll;
	}
	return wf;
}

/** The queue-mode workflows' credential id */
export const QUEUE_CREDENTIAL = 'soraQueueCred001';

/** e2e/queue/workflows/<template>.template.json: a webhook at `path`, polling every second */
export function queueWorkflow(template: 'ping' | 'batch', id: string, path: string, options: { retryOnFail?: boolean; onError?: string } = {}): WorkflowSpec {
	const text = readFileSync(join(ROOT, 'e2e', 'queue', 'workflows', `${template}.template.json`), 'utf8')
		.replaceAll('__WF_ID__', id)
		.replaceAll('__CRED_ID__', QUEUE_CREDENTIAL)
		.replaceAll('__POLL__', '1')
		.replaceAll('__RETRY__', String(options.retryOnFail ?? false))
		.replaceAll('__ON_ERROR__', options.onError ?? 'stopWorkflow')
		.replace(/"path": "sora-queue-[a-z]*"/, `"path": "${path}"`)
		.replace(/"webhookId": "[^"]*"/, `"webhookId": "${randomUUID()}"`);
	return JSON.parse(text) as WorkflowSpec;
}

/**
 * The workflows of the queue runs and bench:n8n: ping; batch (n8n's Retry On Fail when `retryOnFail`, otherwise
 * errors as items); cap (errors as items); the shipped long-job-loop example started by a webhook (a manual run would
 * stay on main) with a Wait of `waitSeconds`.
 */
export function queueWorkflows(options: { retryOnFail?: boolean; waitSeconds?: number } = {}): WorkflowSpec[] {
	const loop = example('long-job-loop.json', 'soraQueueLoop001', QUEUE_CREDENTIAL, { credentialName: 'Sora (toapis)' });
	const start = loop.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')!;
	Object.assign(start, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: randomUUID(), parameters: { path: 'sora-queue-loop', responseMode: 'onReceived', options: {} } });
	for (const node of loop.nodes) if (node.type === 'n8n-nodes-base.wait') node.parameters.amount = options.waitSeconds ?? 70;
	return [
		queueWorkflow('ping', 'soraQueuePing001', 'sora-queue-ping'),
		queueWorkflow('batch', 'soraQueueBatch01', 'sora-queue-batch', { retryOnFail: options.retryOnFail, onError: options.retryOnFail ? 'stopWorkflow' : 'continueRegularOutput' }),
		queueWorkflow('batch', 'soraQueueCap0001', 'sora-queue-cap', { onError: 'continueRegularOutput' }),
		loop,
	];
}

/**
 * The callback-wait suites' and bench:callback's batch, started at /webhook/sora-callback-batch: Webhook (query
 * items=N or prompts=a|b, maxWait=s, pollInterval=s) → Code (N rows) → Sora Generate (Wait Mode "Until Toapis Calls
 * Back", or the in-node wait) → Sora Task Status (download); failed tasks → Failed.
 */
export function callbackBatchWorkflow(id: string, credentialId: string, maxWait: number, waitMode: 'callback' | 'poll' = 'callback'): WorkflowSpec {
	const node = (n: number) => `9c000000-0000-4000-8000-00000000000${n}`;
	return {
		id,
		name: 'Callback wait: batch',
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{ id: node(1), name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: '9c000000-0000-4000-8000-0000000000a1', position: [0, 0], parameters: { path: 'sora-callback-batch', responseMode: 'onReceived', options: {} } },
			{
				id: node(2),
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: "const q = $input.first().json.query;\nconst prompts = q.prompts ? String(q.prompts).split('|') : Array.from({ length: Number(q.items) }, (_, i) => `A lighthouse at dusk #${i + 1}`);\nreturn prompts.map((prompt, i) => ({ json: { row: i + 1, prompt } }));" },
			},
			{
				id: node(3),
				name: 'Sora Generate',
				type: 'n8n-nodes-sora.soraGenerate',
				typeVersion: 1,
				position: [400, 0],
				credentials: { soraApi: { id: credentialId, name: 'Sora (toapis)' } },
				onError: 'continueErrorOutput',
				parameters: {
					model: { __rl: true, mode: 'list', value: 'sora-2' },
					prompt: '={{ $json.prompt }}',
					duration: 10,
					aspectRatio: '16:9',
					waitForCompletion: true,
					waitMode,
					pollInterval: "={{ Number($('Start').first().json.query.pollInterval ?? 10) }}",
					maxWaitTime: `={{ Number($('Start').first().json.query.maxWait ?? ${maxWait}) }}`,
				},
			},
			{
				id: node(4),
				name: 'Sora Task Status',
				type: 'n8n-nodes-sora.soraTaskStatus',
				typeVersion: 1,
				position: [600, 0],
				credentials: { soraApi: { id: credentialId, name: 'Sora (toapis)' } },
				parameters: { taskId: '={{ $json.id }}', downloadVideo: true },
			},
			{ id: node(5), name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, 200], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'Sora Generate', type: 'main', index: 0 }]] },
			'Sora Generate': { main: [[{ node: 'Sora Task Status', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] },
		},
	};
}
