/**
 * Serves a webhook trigger node on 127.0.0.1 the way n8n's webhook server runs it: the raw body is read before the
 * node sees it, the node's webhook() runs in n8n-core's own WebhookContext (its request and binary helpers, its
 * static data, its credentials access), the workflow's static data is saved after each request and handed to the
 * next one (as n8n does through its database), and an answer with workflowData starts an "execution" (recorded
 * here), answered 200 without a body, like responseMode "onReceived" with responseData "noData".
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { engine } from './engine.mts';

export interface WebhookHost {
	url: string;
	/** Items of every execution started, in order */
	executions: INodeExecutionData[][];
	/** Every request answered: status and body */
	answers: Array<{ status: number; body: string }>;
	/** The workflow's static data as n8n last saved it */
	staticData: IDataObject;
	/** Change the node's parameters or the credential between requests */
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	/**
	 * Called with each answer before it is sent back, so a test can change the node's setup at an exact point of a
	 * delivery sequence (e.g. set the secret once the first delivery was refused) instead of racing a retry timer
	 */
	onAnswer?: (answer: { status: number; body: string }) => void;
	/** Answer the next N requests with this status before the node sees them (a proxy in trouble) */
	failNext(count: number, status: number): void;
	/** The bytes of a binary the node put into n8n's binary data store */
	read(binary: IBinaryData | undefined): Buffer;
	close(): Promise<void>;
}

export async function serveWebhook(
	NodeClass: new () => INodeType,
	credentials: ICredentialDataDecryptedObject,
	parameters: IDataObject = {},
): Promise<WebhookHost> {
	const { webhookContext, pathOf } = await engine();
	const nodeType = new NodeClass();
	let failures = { count: 0, status: 0 };
	const host: WebhookHost = {
		url: '',
		executions: [],
		answers: [],
		staticData: {},
		parameters,
		credentials,
		failNext: (count, status) => (failures = { count, status }),
		read: (binary) => {
			if (!binary?.id) throw new Error('no stored binary');
			return readFileSync(pathOf(binary.id));
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};

	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const answered = (status: number, body: string) => {
			host.answers.push({ status, body });
			host.onAnswer?.({ status, body });
		};
		if (failures.count > 0) {
			failures.count--;
			answered(failures.status, 'proxy failure');
			return void res.writeHead(failures.status).end('proxy failure');
		}
		// The part of an express response the node may use
		const response = {
			status: (code: number) => ({
				json: (body: unknown) => {
					const text = JSON.stringify(body);
					answered(code, text);
					res.writeHead(code, { 'content-type': 'application/json' }).end(text);
				},
			}),
		};
		const node: INode = {
			id: 'trigger-node',
			name: 'Sora Trigger',
			type: `n8n-nodes-sora.${nodeType.description.name}`,
			typeVersion: 1,
			position: [0, 0],
			parameters: structuredClone(host.parameters) as INode['parameters'],
			credentials: { soraApi: { id: 'sora-test', name: 'Sora API (test)' } },
			webhookId: 'trigger-id',
		};
		const request = Object.assign(req, {
			rawBody: Buffer.concat(chunks),
			body: {},
			params: {},
			query: {},
		});
		const { context, savedStaticData } = webhookContext({
			nodeType,
			node,
			credentials: host.credentials,
			staticData: structuredClone(host.staticData),
			request,
			response,
		});
		try {
			const result = await nodeType.webhook!.call(context);
			host.staticData = savedStaticData();
			if (result.workflowData) host.executions.push(result.workflowData[0]);
			if (!res.headersSent) {
				answered(200, '');
				res.writeHead(200).end();
			}
		} catch (error) {
			if (!res.headersSent) {
				answered(500, (error as Error).message);
				res.writeHead(500).end((error as Error).message);
			}
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	host.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return host;
}
