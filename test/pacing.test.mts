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
