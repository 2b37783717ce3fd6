/**
 * Sora Generate's Wait Mode "Until Toapis Calls Back" on n8n 1.123.81 (still in use): the execution parks, the
 * callbacks resume it (resume URLs without a token on 1.x), a failed task still reaches the error output, a task that
 * never calls back reaches it at Max Wait, and the videos are downloaded after the resume.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/processes.mts';
import { deliveries, log, runBatch, runData, settle, sim, start, statusOf, useCallbackStack } from './callback-cases.mts';

useCallbackStack({ version: '1.123.81' });

describe('n8n 1.123: Wait Mode "Until Toapis Calls Back"', () => {
	// n8n resumes at Max Wait when its wait tracker looks (once a minute): started first, checked last.
	let lostId = '';
	it('a callback that never comes: the execution parks with Max Wait 5 s', async () => {
		await sim.control('/__sim/webhooks/faults', { kind: 'lost' });
		lostId = await start({ prompts: 'A lost callback [sim:ms=500]', maxWait: 5 });
		await waitFor('the lost callback', async () => (await deliveries()).some((d) => d.variant === 'lost'), 30_000, 100);
		expect(await statusOf(lostId)).toBe('waiting');
	});

	it('10 items parked and resumed by their callbacks; 0 status reads by Sora Generate; 10 videos downloaded', async () => {
		const run = await runBatch(10);
		const data = await runData(run.execution.id);
		const downloaded = data['Sora Task Status'][0].data!.main[0]!;
		log(`n8n 1.123: ${run.seconds.toFixed(2)} s; ${run.submits} submits; reads ${run.reads} (Sora Task Status: ${downloaded.length})`);
		expect(run.execution.status).toBe('success');
		expect(downloaded.filter((item) => item.binary?.data)).toHaveLength(10);
		expect(run.reads).toBe(10);
	});

	it('a failed task goes to the error output (1.x shape: the task under error.details)', async () => {
		const id = await start({ prompts: 'A calm sea|A forbidden scene [sim:fail]' });
		expect(await settle(id)).toBe('success');
		const main = (await runData(id))['Sora Generate'].at(-1)!.data!.main;
		log(`n8n 1.123 error output: ${JSON.stringify(main[1]?.[0]?.json).slice(0, 200)}`);
		expect(main[0]!.map((item) => item.json.status)).toEqual(['completed']);
		expect(main[1]).toHaveLength(1);
		expect(main[1]![0].json.error.details.status).toBe('failed');
	});

	it('… at Max Wait n8n resumed it: the task goes to the error output with its id (1.x shape: under error.details)', async () => {
		expect(await settle(lostId, undefined, 180_000)).toBe('success');
		const [main, errors] = (await runData(lostId))['Sora Generate'].at(-1)!.data!.main;
		log(`n8n 1.123 at Max Wait: ${JSON.stringify(errors?.[0]?.json).slice(0, 200)}`);
		expect(main ?? []).toEqual([]);
		const error = errors![0].json.error;
		expect(error.details.id).toMatch(/\S/);
		expect(error.message).toContain(`task ${error.details.id}`);
	});
});
