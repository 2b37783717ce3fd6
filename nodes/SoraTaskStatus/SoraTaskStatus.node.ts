import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import {
	concurrencyOption,
	downloadProperties,
	downloadThumbnailOption,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import * as get from './actions/get.operation';

export class SoraTaskStatus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Task Status',
		name: 'soraTaskStatus',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["waitForCompletion"] ? "Wait for " : "Read " }}{{ $parameter["taskType"] }} task',
		description:
			'Read a Sora video or character task, wait for it to finish and download the video',
		defaults: { name: 'Sora Task Status' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: [
			...get.description,
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
		// A failed item comes out as data (with its task id) or stops the workflow, as On Error says.
		const continueOnFail = this.continueOnFail();
		return [await runBatch(this, get.planItem, { continueOnFail })];
	}
}
