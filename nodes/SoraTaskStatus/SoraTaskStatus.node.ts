import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import {
	concurrencyOption,
	downloadProperties,
	downloadThumbnailOption,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import { toOutputItems } from '../shared/parameters/read';
import { readTasks } from './readTasks';

export class SoraTaskStatus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Task Status',
		name: 'soraTaskStatus',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["waitForCompletion"] ? "Wait for " : "Read " }}{{ $parameter["taskType"] }} task',
		description: 'Read a Sora video or character task, wait for it to finish and download the video',
		defaults: { name: 'Sora Task Status' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'soraApi', required: true }],
		properties: [
			{
				displayName: 'Task ID',
				name: 'taskId',
				type: 'string',
				default: '={{ $json.id }}',
				required: true,
				placeholder: 'video_01K8SGYNNNVBQTXNR4MM964S7K',
				description: 'ID of the task, as returned by Sora Generate or Sora Character',
			},
			{
				displayName: 'Task Type',
				name: 'taskType',
				type: 'options',
				default: 'video',
				options: [
					{ name: 'Video', value: 'video', description: 'A video generation or remix task' },
					{
						name: 'Character',
						value: 'character',
						description: 'A character creation task (toapis only)',
					},
				],
			},
			...waitForCompletionProperties,
			...downloadProperties,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [concurrencyOption, downloadThumbnailOption, requestTimeoutOption],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [toOutputItems(this, await readTasks.call(this))];
	}
}
