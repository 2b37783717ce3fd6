import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { byOperation, runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import { receiveCallback } from '../shared/tasks/callbacks';
import {
	getAspectRatios,
	getDurations,
	getResolutions,
	getSizes,
	searchModels,
} from '../shared/parameters/methods';
import * as extend from './actions/extend.operation';
import * as generate from './actions/generate.operation';
import * as remix from './actions/remix.operation';
import { generateProperties } from './description';

export class SoraGenerate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Generate',
		name: 'soraGenerate',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "remix" ? "Remix: " : $parameter["operation"] === "extend" ? "Extend: " : "" }}{{ $parameter["model"].value || $parameter["model"] }}{{ $parameter["duration"] ? ", " + $parameter["duration"] + " s" : "" }}',
		description:
			'Generate, remix or extend videos with Sora 2 and the other toapis video models (Seedance, Kling, Veo, Grok, Wan, MiniMax, Vidu), optionally wait for them and download the file',
		defaults: { name: 'Sora Generate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		// Wait Mode "Until Toapis Calls Back": the tasks' callbacks resume the parked execution through n8n's
		// resume URL (like the Wait node's "On Webhook Call"); n8n never registers this webhook on activation.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'noData',
				path: '',
				restartWebhook: true,
			},
		],
		properties: generateProperties,
	};

	// Declared because n8n's lint asks every node with webhooks for them; n8n calls none of them for a resume
	// webhook, which lives only as long as its parked execution.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	methods = {
		listSearch: { searchModels },
		loadOptions: { getAspectRatios, getDurations, getResolutions, getSizes },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// A failed item comes out as data (with its task id) or stops the workflow, as On Error says.
		const continueOnFail = this.continueOnFail();
		const operations = byOperation({ generate, remix, extend }, 'generate');
		return [await runBatch(this, operations, { continueOnFail })];
	}

	/** A toapis callback for a task of a parked execution (Wait Mode "Until Toapis Calls Back"). */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this);
	}
}
