import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { isExhausted, type Balance } from '../domain/balance';
import { callApi, type SoraClient } from '../provider/transport';
import { Limiter } from '../util/limiter';

/** What Sora Generate's options ask about money; all off by default. */
export interface SpendOptions {
	/** Refuse the whole batch, before anything is sent, when the account has no credits left */
	checkBalance: boolean;
	/** Give every item the account's balance before and after the batch, as `spend` */
	reportSpend: boolean;
	/** Refuse further items once the batch has spent this many credits (0: no limit) */
	maxCredits: number;
}

export const NO_SPEND_CONTROL: SpendOptions = {
	checkBalance: false,
	reportSpend: false,
	maxCredits: 0,
};

/**
 * Watches what a batch spends, from the balance the provider reports (no price tables: the provider knows its
 * prices). Reads are free and paced like status reads. With a credit limit, each submit waits for the one before it
 * and for a fresh reading, so the limit holds even while other items are being submitted.
 */
export class SpendWatch {
	private before?: Balance;
	private readonly oneAtATime = new Limiter(1);

	constructor(
		private readonly client: SoraClient,
		private readonly options: SpendOptions,
	) {}

	static needed(options: SpendOptions): boolean {
		return options.checkBalance || options.reportSpend || options.maxCredits > 0;
	}

	/** Reads the balance the batch starts from; refuses the batch when asked and the account is exhausted. */
	async start(): Promise<void> {
		const node = this.client.ctx.getNode();
		if (!this.client.adapter.getBalance) {
			throw new NodeOperationError(
				node,
				`The ${this.client.adapter.label} API reports no balance`,
				{
					description:
						'Check Balance First, Report Spend and Max Credits per Execution work with toapis only: remove them. Nothing was sent.',
				},
			);
		}
		this.before = await this.read(0);
		if (this.options.checkBalance && isExhausted(this.before)) {
			throw new NodeOperationError(node, 'Your toapis token has no credits left', {
				description: `It reports ${this.before.remainingCredits} credits remaining. Top up, or raise the token's quota in the toapis console; nothing was sent.`,
			});
		}
	}

	/** Runs one item's submit, first making sure the batch's spend is below Max Credits per Execution. */
	async guard<T>(itemIndex: number, submit: () => Promise<T>): Promise<T> {
		if (this.options.maxCredits <= 0) return await submit();
		return await this.oneAtATime.run(async () => {
			const spent = this.spentSince((await this.read(itemIndex)).usedCredits);
			if (spent >= this.options.maxCredits) {
				throw new NodeOperationError(
					this.client.ctx.getNode(),
					`Not submitted: this execution has spent ${spent} credits, and Max Credits per Execution is ${this.options.maxCredits}`,
					{
						itemIndex,
						description:
							'Nothing was sent for this item. Raise the limit, or run the remaining items in another execution.',
					},
				);
			}
			return await submit();
		});
	}

	/** The balance before and after the batch, and what it spent, for every item when Report Spend is on. */
	async report(): Promise<IDataObject | undefined> {
		if (!this.options.reportSpend || !this.before) return undefined;
		const after = await this.read(0);
		const spentCredits = this.spentSince(after.usedCredits);
		const perUsd = after.creditsPerUsd ?? this.before.creditsPerUsd;
		return {
			before: { ...this.before },
			after: { ...after },
			spentCredits,
			spentUsd: perUsd ? spentCredits / perUsd : null,
		};
	}

	private spentSince(usedCredits: number): number {
		return Math.max(0, usedCredits - (this.before?.usedCredits ?? usedCredits));
	}

	private async read(itemIndex: number): Promise<Balance> {
		const { adapter } = this.client;
		const response = await callApi(this.client, adapter.getBalance!(), { itemIndex, kind: 'read' });
		const balance = adapter.readBalance?.(response.body);
		if (!balance) {
			const said = typeof response.body.message === 'string' ? `: ${response.body.message}` : '';
			throw new NodeOperationError(
				this.client.ctx.getNode(),
				`toapis could not report the balance${said}`,
				{
					itemIndex,
					description:
						'The balance answer said success: false (the token may be deleted or disabled). Nothing was sent for this item.',
				},
			);
		}
		return balance;
	}
}
