import type { IDataObject } from 'n8n-workflow';
import { pause } from '../util/wait';

/** Longest a waiting call sleeps before it looks again: a better rate estimate may have arrived meanwhile. */
const RECHECK_MS = 250;
/**
 * How long the best rate reading is trusted over lower ones. Pacers live as long as the n8n process, so a plan
 * changed meanwhile (a lower rate for the same key) must replace what was learnt before.
 */
const RATE_MEMORY_MS = 10 * 60_000;
/** The least part of the refill a pacer keeps counting on, however crowded the account */
const MIN_SHARE = 1 / 16;
/** How much of the refill a pacer takes back with each accepted call, after a surprise 429 made it yield */
const SHARE_STEP = 1 / 128;

/**
 * Paces one kind of call (submits or reads) to the provider's token bucket, as far as its headers reveal it.
 *
 * toapis answers every call with X-RateLimit-Limit (bucket size), -Remaining and -Reset (when the bucket is full
 * again), so the refill rate is (limit - remaining) / (time until the reset). toapis does not say which form its reset
 * takes: seconds from now and a Unix time (seconds or milliseconds, as GitHub and many APIs send it) are both read
 * (resetDelayMs). Without a reset header no rate is learnt, and 429s with their Retry-After are the only signal. Callers take tokens one by one, first come
 * first served: after the burst, calls leave at the refill rate, instead of all waiting for a full bucket and
 * leaving together (stop-and-go), and instead of each discovering the limit with its own 429. However many calls
 * may run at once (Concurrency), the pace is the same.
 *
 * Until the first answer has shown whether the provider reports its limit, one call goes alone (a probe), so a
 * wide Concurrency cannot spend the burst before the pacing knows the rate. Providers that send no such headers
 * get the plain rule: after a 429, every call waits out its Retry-After.
 *
 * Executions in one n8n process share a pacer per account (pacersForAccount); other processes on the account
 * (queue-mode workers) are only seen through the provider's counts and its 429s, so each pacer then takes a share
 * of the refill that grows while calls are accepted and halves when one is refused (see `share`).
 */
export class RatePacer {
	/** Tokens estimated to be left */
	private tokens = Number.POSITIVE_INFINITY;
	private capacity = Number.POSITIVE_INFINITY;
	/** Tokens per ms, once the headers have shown it */
	private refillPerMs?: number;
	/** When the reading behind refillPerMs was taken */
	private refillReadAt = 0;
	/**
	 * The part of the refill this pacer counts on. Other processes on the same account (queue-mode workers) take
	 * tokens it cannot see: a 429 for a call it had a token for shows them, and it yields half its share; each
	 * accepted call takes a little back. Alone on an account it never meets such a 429 and keeps the whole rate.
	 */
	private share = 1;
	/** No second halving for the 429s of calls sent before the first one was answered */
	private yieldedAt = 0;
	private updatedAt = Date.now();
	private holdUntil = 0;
	/** Calls that took a token and have not been answered yet: the provider's counts do not include them */
	private inFlight = 0;
	private answered = false;
	/** Resolves when the probe (the first call) is answered */
	private probe?: { answered: Promise<void>; resolve: () => void };
	/** The queue of callers: each waits for the one before it */
	private queue: Promise<unknown> = Promise.resolve();

	/** The refill rate learnt from the provider's headers, in calls per second (undefined until one was read) */
	get ratePerSecond(): number | undefined {
		return this.refillPerMs === undefined ? undefined : this.refillPerMs * 1000;
	}

	/** The part of that rate this pacer spends: all of it alone on the account, less while others spend it too */
	get sharedRatePerSecond(): number | undefined {
		return this.refillPerMs === undefined ? undefined : this.refillPerMs * this.share * 1000;
	}

	/** Waits for this caller's token; false when the execution is cancelled meanwhile. */
	async acquire(signal?: AbortSignal): Promise<boolean> {
		const turn = this.queue.then(async () => await this.waitForToken(signal));
		this.queue = turn;
		return await turn;
	}

	/** What an answer (or its absence) taught us; call once per successful acquire. */
	observe(
		headers: IDataObject | undefined,
		rateLimitedForMs?: number,
		now = Date.now(),
		sentAt = now,
	): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.answered = true;
		this.refill(now);
		const limit = numberHeader(headers, 'x-ratelimit-limit');
		const remaining = numberHeader(headers, 'x-ratelimit-remaining');
		const reset = numberHeader(headers, 'x-ratelimit-reset');
		const resetMs = reset === undefined ? undefined : resetDelayMs(reset, now);
		if (limit !== undefined && remaining !== undefined && limit > 0) {
			this.capacity = limit;
			// A reset in whole seconds (from now, or a Unix time) rounds up, so each reading is a lower bound of the true
			// rate: keep the best, unless it is old enough that the account's limit may have changed since.
			if (resetMs !== undefined && resetMs > 0 && limit > remaining) {
				const reading = (limit - remaining) / resetMs;
				if (
					this.refillPerMs === undefined ||
					reading >= this.refillPerMs ||
					now - this.refillReadAt > RATE_MEMORY_MS
				) {
					this.refillPerMs = reading;
					this.refillReadAt = now;
				}
			}
			// Calls still in flight will take from what the provider reports as left. Sharing the account, part of what
			// the others left unspent is there for this pacer to take: its share of it.
			const counted = remaining - this.inFlight;
			if (counted < this.tokens) this.tokens = counted;
			else if (this.share < 1) this.tokens += (counted - this.tokens) * this.share;
		}
		if (rateLimitedForMs !== undefined && rateLimitedForMs > 0) {
			// Refused although the estimate had a token for it: someone else spends this bucket too.
			if (this.refillPerMs !== undefined && sentAt >= this.yieldedAt) {
				this.share = Math.max(MIN_SHARE, this.share / 2);
				this.yieldedAt = now;
			}
			this.holdUntil = Math.max(this.holdUntil, now + rateLimitedForMs);
			if (this.refillPerMs !== undefined) this.tokens = Math.min(this.tokens, -this.inFlight);
		} else if (limit !== undefined) {
			this.share = Math.min(1, this.share + SHARE_STEP);
		}
		this.probe?.resolve();
		this.probe = undefined;
	}

	private async waitForToken(signal?: AbortSignal): Promise<boolean> {
		for (;;) {
			if (signal?.aborted) return false;
			if (this.probe) {
				await this.probe.answered;
				continue;
			}
			const now = Date.now();
			this.refill(now);
			const hold = this.holdUntil - now;
			const known = this.refillPerMs !== undefined && Number.isFinite(this.tokens);
			if (hold <= 0 && (!known || this.tokens >= 1)) {
				if (known) this.tokens -= 1;
				this.inFlight++;
				if (!this.answered) {
					let resolve = () => {};
					const answered = new Promise<void>((r) => (resolve = r));
					this.probe = { answered, resolve };
				}
				return true;
			}
			const tokenWait = known ? (1 - this.tokens) / this.refillPerMs! : 0;
			if (!(await pause(Math.min(Math.max(hold, Math.ceil(tokenWait)), RECHECK_MS), signal)))
				return false;
		}
	}

	private refill(now: number): void {
		if (this.refillPerMs !== undefined && Number.isFinite(this.tokens)) {
			this.tokens = Math.min(
				this.capacity,
				this.tokens + (now - this.updatedAt) * this.refillPerMs * this.share,
			);
		}
		this.updatedAt = now;
	}
}

/** The pacers of one provider account: submits and reads have separate buckets at toapis. */
export interface AccountPacers {
	read: RatePacer;
	submit: RatePacer;
}

/**
 * One pair of pacers per provider account in this n8n process: the bucket belongs to the account, not to an
 * execution: executions running side by side (several webhooks at once, a queue-mode worker's concurrent jobs) and
 * every node in them take their tokens from the same pacer, instead of each spending the bucket as if it were alone.
 */
const accounts = new Map<string, AccountPacers>();

/** `account` identifies the bucket (API root and a digest of the key); never the key itself. */
export function pacersForAccount(account: string): AccountPacers {
	let pacers = accounts.get(account);
	if (!pacers) {
		pacers = { read: new RatePacer(), submit: new RatePacer() };
		accounts.set(account, pacers);
	}
	return pacers;
}

/** Forgets what every account's answers taught (tests start each case as a fresh n8n process would). */
export function forgetAccountPacing(): void {
	accounts.clear();
}

/**
 * How long until an X-RateLimit-Reset comes, in ms, from either form: a Unix time in milliseconds (above 10¹²) or
 * seconds (above 10⁹, i.e. after 2001: no bucket takes 30 years to fill), else seconds from now.
 */
export function resetDelayMs(value: number, now = Date.now()): number {
	if (value > 1e12) return Math.max(0, value - now);
	if (value > 1e9) return Math.max(0, value * 1000 - now);
	return Math.max(0, value * 1000);
}

function numberHeader(headers: IDataObject | undefined, name: string): number | undefined {
	const raw = headers?.[name];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === null || value === '') return undefined;
	const n = Number(value);
	return Number.isFinite(n) ? n : undefined;
}
