import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import { isFinished, type TaskStatus } from '../shared/domain/task';
import {
	concurrencyOption,
	downloadProperties,
	downloadThumbnailOption,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import * as get from './actions/get.operation';

const SPLIT_OUTPUTS = [
	{ type: 'main', displayName: 'Finished' },
	{ type: 'main', displayName: 'Still Running' },
];

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
		// A second output for tasks still running, when asked: a Wait → Task Status loop then needs no IF node.
		outputs: `={{ $parameter["runningToSecondOutput"] ? ${JSON.stringify(SPLIT_OUTPUTS)} : ["main"] }}`,
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: [
			...get.description,
			...waitForCompletionProperties,
			...downloadProperties,
			{
				displayName: 'Send Running Tasks to a Second Output',
				name: 'runningToSecondOutput',
				type: 'boolean',
				default: false,
				description:
					'Whether tasks not finished yet go to a second output ("Still Running"), so that it can lead back to a Wait node while finished ones go on',
			},
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
		const items = await runBatch(this, get.planItem, { continueOnFail });
		if (!this.getNodeParameter('runningToSecondOutput', 0, false)) return [items];
		const running = (item: INodeExecutionData) =>
			!item.json.error && !isFinished(item.json as { status: TaskStatus });
		return [items.filter((item) => !running(item)), items.filter(running)];
	}
}
