/** At most `limit` calls of `run` in flight; the others wait their turn, first come first served. */
export class Limiter {
	private active = 0;
	private readonly queue: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
		else this.active++;
		try {
			return await fn();
		} finally {
			const next = this.queue.shift();
			// The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
			if (next) next();
			else this.active--;
		}
	}
}
