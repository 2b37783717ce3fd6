import { describe, expect, it } from 'vitest';
import { RatePacer, forgetAccountPacing, pacersForAccount } from '../nodes/shared/provider/pacing';

const bucket = (limit: number, remaining: number, resetS: number) => ({
	'x-ratelimit-limit': String(limit),
	'x-ratelimit-remaining': String(remaining),
	'x-ratelimit-reset': String(resetS),
});

describe('RatePacer: the refill rate read from toapis headers', () => {
	it('keeps the best reading (a whole-second reset rounds up, so each reading is a lower bound)', () => {
		const pacer = new RatePacer();
		const t0 = 1_000_000;
		pacer.observe(bucket(50, 3, 10), undefined, t0); // 47 in 10 s: 4.7/s
		expect(pacer.ratePerSecond).toBeCloseTo(4.7);
		pacer.observe(bucket(50, 0, 10), undefined, t0 + 200); // 50 in 10 s: 5/s
		expect(pacer.ratePerSecond).toBeCloseTo(5);
		pacer.observe(bucket(50, 8, 9), undefined, t0 + 400); // 42 in 9 s: 4.67/s, lower: ignored
		expect(pacer.ratePerSecond).toBeCloseTo(5);
	});

	it('lets a lower rate replace a best reading older than 10 minutes (the plan of a long-running n8n changed)', () => {
		const pacer = new RatePacer();
		const t0 = 1_000_000;
		pacer.observe(bucket(50, 0, 10), undefined, t0);
		pacer.observe(bucket(50, 0, 25), undefined, t0 + 5 * 60_000); // 2/s, five minutes on: still 5/s
		expect(pacer.ratePerSecond).toBeCloseTo(5);
		pacer.observe(bucket(50, 0, 25), undefined, t0 + 11 * 60_000); // 2/s, eleven minutes on
		expect(pacer.ratePerSecond).toBeCloseTo(2);
	});

	it('has no rate until headers show one', () => {
		const pacer = new RatePacer();
		pacer.observe({}, undefined);
		expect(pacer.ratePerSecond).toBeUndefined();
	});
});

describe('RatePacer: sharing the account with other processes (queue-mode workers)', () => {
	const t0 = 1_000_000;
	const paced = () => {
		const pacer = new RatePacer();
		pacer.observe(bucket(50, 0, 10), undefined, t0); // 5/s
		return pacer;
	};

	it('alone, accepted calls keep the whole rate', () => {
		const pacer = paced();
		for (let i = 1; i <= 20; i++) pacer.observe(bucket(50, 10, 8), undefined, t0 + i * 200);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(5);
	});

	it('a refused call it had a token for halves its share, once for all the calls sent before that answer', () => {
		const pacer = paced();
		pacer.observe(bucket(50, 0, 10), 1000, t0 + 1000, t0 + 900);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(2.5);
		// sent before the first refusal was answered: the same news, no second halving
		pacer.observe(bucket(50, 0, 10), 1000, t0 + 1010, t0 + 950);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(2.5);
		// sent after it, and still refused: the others take more than half
		pacer.observe(bucket(50, 0, 10), 1000, t0 + 2500, t0 + 2400);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(1.25);
	});

	it('takes its share back call by call while the provider accepts, and never yields below a sixteenth', () => {
		const pacer = paced();
		for (let i = 1; i <= 10; i++)
			pacer.observe(bucket(50, 0, 10), 1000, t0 + i * 2000, t0 + i * 2000 - 100);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(5 / 16);
		for (let i = 1; i <= 64; i++) pacer.observe(bucket(50, 5, 9), undefined, t0 + 30_000 + i * 200);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(5 * (1 / 16 + 64 / 128));
		for (let i = 1; i <= 200; i++)
			pacer.observe(bucket(50, 5, 9), undefined, t0 + 60_000 + i * 200);
		expect(pacer.sharedRatePerSecond).toBeCloseTo(5);
	});

	it('without rate headers a 429 only holds calls back: there is no rate to share', () => {
		const pacer = new RatePacer();
		pacer.observe({}, 1000, t0, t0 - 100);
		expect(pacer.sharedRatePerSecond).toBeUndefined();
	});
});

describe('pacers per provider account', () => {
	it('one pair per account in the process: the same account gets the same pacers, another account its own', () => {
		const a = pacersForAccount('account-a');
		expect(pacersForAccount('account-a')).toBe(a);
		expect(pacersForAccount('account-b')).not.toBe(a);
		expect(a.read).not.toBe(a.submit);
		forgetAccountPacing();
		expect(pacersForAccount('account-a')).not.toBe(a);
	});
});
