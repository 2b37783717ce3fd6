import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { byOperation, runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
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
		properties: generateProperties,
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
}
