import {
	NodeOperationError,
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';
import type { ItemPlan } from '../../shared/batch/run';
import { readText, readWaiting } from '../../shared/parameters/read';
import type { SoraClient } from '../../shared/provider/transport';
import { NO_DOWNLOADS } from '../../shared/tasks/follow';

/** Get: read a character task (and wait for it, if asked) for its @usernames. */

const properties: INodeProperties[] = [
	{
		displayName: 'Character Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		placeholder: 'task_01KBYT59JDHB4A3KDDR9N9JVWP',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['get'] } }, properties);

export async function planItem(
	ctx: IExecuteFunctions,
	_client: SoraClient,
	itemIndex: number,
): Promise<ItemPlan> {
	const id = readText(ctx, 'taskId', itemIndex).trim();
	if (!id) {
		throw new NodeOperationError(ctx.getNode(), 'Character Task ID is empty', {
			itemIndex,
			description:
				'Give the id Sora Character → Create returned, e.g. task_01KBYT59JDHB4A3KDDR9N9JVWP.',
		});
	}
	return {
		read: { id, kind: 'character' },
		waiting: readWaiting(ctx, itemIndex),
		downloads: NO_DOWNLOADS,
	};
}
