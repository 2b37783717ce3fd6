import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { toOutputItems } from '../shared/parameters/read';
import { generateProperties } from './description';
import { generateVideos } from './generate';
import { getDurations, getSizes, searchModels } from '../shared/parameters/methods';

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
		credentials: [{ name: 'soraApi', required: true }],
		properties: generateProperties,
	};

	methods = {
		listSearch: { searchModels },
		loadOptions: { getDurations, getSizes },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [toOutputItems(this, await generateVideos.call(this))];
	}
}
