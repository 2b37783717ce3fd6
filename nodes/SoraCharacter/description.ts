import type { INodeProperties } from 'n8n-workflow';
import {
	concurrencyOption,
	requestTimeoutOption,
	waitForCompletionProperties,
} from '../shared/parameters/descriptions';
import * as create from './actions/create.operation';
import * as get from './actions/get.operation';

export const characterProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'create',
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a character',
				description: 'Extract a reusable character from a video (toapis)',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a character task',
				description: 'Read a character task and its @usernames (toapis)',
			},
		],
	},
	...create.description,
	...get.description,
	...waitForCompletionProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [concurrencyOption, requestTimeoutOption],
	},
];
