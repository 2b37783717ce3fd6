/**
 * Sora Generate's Wait Mode "Until Toapis Calls Back" on n8n 1.123.81 (still in use): the execution parks, the
 * callbacks resume it (resume URLs without a token on 1.x), a failed task still reaches the error output, and the
 * videos are downloaded after the resume.
 */
import { describe, expect, it } from 'vitest';
import { log, runBatch, runData, settle, start, useCallbackStack } from './callback-cases.mts';

useCallbackStack({ version: '1.123.81' });

describe('n8n 1.123: Wait Mode "Until Toapis Calls Back"', () => {
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
});
