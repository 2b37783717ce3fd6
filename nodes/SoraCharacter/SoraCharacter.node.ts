import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchCharacterModels } from '../shared/parameters/methods';
import { toOutputItems } from '../shared/parameters/read';
import { runCharacters } from './characters';
import { characterProperties } from './description';

export class SoraCharacter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora Character',
		name: 'soraCharacter',
		icon: { light: 'file:../../icons/sora.svg', dark: 'file:../../icons/sora.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "get" ? "Get character task" : "Create character" }}',
		description: 'Create reusable Sora characters from a video and get their @usernames for prompts (toapis)',
		defaults: { name: 'Sora Character' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'soraApi', required: true }],
		properties: characterProperties,
	};

	methods = { listSearch: { searchCharacterModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [toOutputItems(this, await runCharacters.call(this))];
	}
}
