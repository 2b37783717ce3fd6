/** What a provider account (toapis: the API key's token) has left and has used, as the provider reports it. */
export interface Balance {
	/** Credits left; null when the account has no limit */
	remainingCredits: number | null;
	usedCredits: number;
	/** The same in the account's money unit (USD on toapis unless the server is set otherwise) */
	remainingBalance: number | null;
	usedBalance: number;
	creditsPerUsd: number | null;
	unlimited: boolean;
}

/** No more paid work fits: the account is limited and has no credits left. */
export function isExhausted(balance: Balance): boolean {
	return !balance.unlimited && balance.remainingCredits !== null && balance.remainingCredits <= 0;
}
