import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { byOperation, runBatch } from '../shared/batch/run';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import type { SoraClient } from '../shared/provider/transport';
import { searchCharacterModels } from '../shared/parameters/methods';
import * as create from './actions/create.operation';
import * as get from './actions/get.operation';
import { characterProperties } from './description';

export class SoraCharacter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Character',
		name: 'soraCharacter',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "get" ? "Get character task" : "Create character" }}',
		description:
			'Create reusable Sora characters from a video and get their @usernames for prompts (toapis)',
		defaults: { name: 'Sora Character' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: characterProperties,
	};

	methods = { listSearch: { searchCharacterModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		// A failed item comes out as data (with its task id) or stops the workflow, as On Error says.
		const continueOnFail = this.continueOnFail();
		const requires = ({ adapter }: SoraClient) => {
			if (!adapter.createCharacter) {
				throw new NodeOperationError(
					node,
					`Characters are a toapis feature; the ${adapter.label} API has none`,
					{
						description:
							'Use a Sora API credential with the toapis flavor for Sora Character. Nothing was sent.',
					},
				);
			}
		};
		return [
			await runBatch(this, byOperation({ create, get }, 'create'), { continueOnFail, requires }),
		];
	}
}
