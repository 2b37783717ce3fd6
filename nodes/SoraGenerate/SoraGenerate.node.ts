import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { byOperation, runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import { getDurations, getSizes, searchModels } from '../shared/parameters/methods';
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
			'={{ $parameter["operation"] === "remix" ? "Remix: " : "" }}{{ $parameter["model"].value || $parameter["model"] }}{{ $parameter["duration"] ? ", " + $parameter["duration"] + " s" : "" }}',
		description: 'Generate or remix Sora 2 videos, optionally wait for them and download the file',
		defaults: { name: 'Sora Generate' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: generateProperties,
	};

	methods = {
		listSearch: { searchModels },
		loadOptions: { getDurations, getSizes },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// A failed item comes out as data (with its task id) or stops the workflow, as On Error says.
		const continueOnFail = this.continueOnFail();
		return [await runBatch(this, byOperation({ generate, remix }, 'generate'), { continueOnFail })];
	}
}
