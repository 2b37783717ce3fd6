import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { TaskKind } from '../domain/task';
import { readNodeOptions, type NodeOptions } from '../parameters/read';
import { connect, type SoraClient } from '../provider/transport';
import { parkExecution, type AwaitedTask } from '../tasks/callbacks';
import { createFollower, type FollowPlan } from '../tasks/follow';
import { toOutputItems, type ItemResult } from '../tasks/outcomes';
import { SpendWatch } from '../tasks/spend';
import { submitTask, type Submission } from '../tasks/submit';

/** One item's work, planned (every parameter read and checked) before any request of the batch leaves. */
export type ItemPlan = FollowPlan &
	({ submit: Submission } | { read: { id: string; kind: TaskKind } });

export type PlanItem = (
	ctx: IExecuteFunctions,
	client: SoraClient,
	itemIndex: number,
) => Promise<ItemPlan>;

/** One operation of a node: its editor fields and how it plans an item. */
export interface Operation {
	description: INodeProperties[];
	planItem: PlanItem;
}

/** Plans each item with the operation its Operation parameter names. */
export function byOperation(operations: Record<string, Operation>, fallback: string): PlanItem {
	return async (ctx, client, itemIndex) => {
		const name = ctx.getNodeParameter('operation', itemIndex, fallback) as string;
		const operation = operations[name];
		if (!operation)
			throw new NodeOperationError(ctx.getNode(), `Unknown operation "${name}"`, { itemIndex });
		return await operation.planItem(ctx, client, itemIndex);
	};
}

export interface BatchOptions {
	/** What n8n's this.continueOnFail() says for the node */
	continueOnFail: boolean;
	/** Refuses a credential the node cannot use, before anything is read or sent */
	requires?: (client: SoraClient) => void;
}

/**
 * What every node's execute() does: plan every item (an invalid item costs nothing and stops nothing else), then
 * submit and follow them all at once. The transport holds each call until a lane and a rate-limit token are free,
 * so submits leave at the provider's pace and each task is followed as soon as its id is known.
 * A failed item stops the node unless `continueOnFail` (the node's On Error setting) says to output it.
 */
export async function runBatch(
	ctx: IExecuteFunctions,
	planItem: PlanItem,
	{ continueOnFail, requires }: BatchOptions,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	let options: NodeOptions;
	let client: SoraClient;
	let spend: SpendWatch | undefined;
	try {
		// A node-wide option out of range refuses every item, before any request
		options = readNodeOptions(ctx);
		client = await connect(ctx, 0, options.requestTimeoutMs, options.concurrency);
		requires?.(client);
		spend = SpendWatch.needed(options.spend) ? new SpendWatch(client, options.spend) : undefined;
		await spend?.start();
	} catch (error) {
		return toOutputItems(
			ctx,
			items.map(() => ({ json: {}, error: error as Error })),
			continueOnFail,
		);
	}

	const results: ItemResult[] = items.map(() => ({ json: {} }));
	const plans: Array<{ itemIndex: number; plan: ItemPlan }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			plans.push({ itemIndex, plan: await planItem(ctx, client, itemIndex) });
		} catch (error) {
			results[itemIndex] = { json: {}, error: error as Error };
		}
	}

	// The node-wide Wait Mode: park the execution after the submits instead of reading statuses here.
	const parking = plans.find(({ plan }) => plan.waiting.untilCallback)?.plan;
	const awaited: AwaitedTask[] = [];
	const follow = createFollower(ctx, client, options.concurrency, results);
	await Promise.all(
		plans.map(async ({ itemIndex, plan }) => {
			if ('read' in plan) return await follow({ itemIndex, ...plan.read, origin: 'given' }, plan);
			let submitted;
			try {
				const submit = async () => await submitTask(client, itemIndex, plan.submit);
				submitted = spend ? await spend.guard(itemIndex, submit) : await submit();
			} catch (error) {
				results[itemIndex] = { json: {}, error: error as Error };
				return;
			}
			// A reused task was submitted by an earlier run, so it calls that run back, not this one: it is followed here.
			if (parking && !submitted.reused && submitted.task) {
				awaited.push({ itemIndex, task: submitted.task });
				return;
			}
			const origin = submitted.reused ? 'reused' : 'submitted';
			await follow(
				{ itemIndex, id: submitted.id, kind: plan.submit.kind, origin, submitted: submitted.task },
				plan,
			);
		}),
	);
	for (const { itemIndex, task } of awaited) results[itemIndex] = { json: { ...task } };
	await reportSpend(spend, results);
	if (!parking) return toOutputItems(ctx, results, continueOnFail);
	return await parkExecution(
		ctx,
		results,
		awaited,
		parking.waiting,
		client.connection.flavor,
		continueOnFail,
		parking.failedTaskToErrorOutput ?? true,
	);
}

/** Report Spend: every item gets the batch's spend; a balance that cannot be read then costs no item its video. */
async function reportSpend(spend: SpendWatch | undefined, results: ItemResult[]): Promise<void> {
	let report;
	try {
		report = await spend?.report();
	} catch (error) {
		report = { error: (error as Error).message };
	}
	if (report) for (const result of results) result.json.spend = report;
}
