/**
 * Sora Generate's Wait Mode "Until Toapis Calls Back" in queue mode (real n8n 2.41.1: main + 2 workers, PostgreSQL,
 * Redis): 20 items park their execution and every worker is idle while the videos render (no active queue job);
 * the worker that ran the submits is SIGKILLed and n8n's main is restarted during the wait; the callbacks toapis
 * retries resume the execution on the surviving worker, and every video is downloaded after the resume, with nothing
 * paid twice.
 */
import { describe, expect, it } from 'vitest';
import { SAMPLE_SHA } from '../harness/checks.mts';
import { waitFor } from '../harness/processes.mts';
import { deliveries, log, n8n, runData, settle, sim, start, statusOf, useCallbackStack } from './callback-cases.mts';

useCallbackStack({ mode: 'queue', workers: 2 });

const ITEMS = 20;
const TASK_SECONDS = 25;

describe(`queue mode: ${ITEMS} items parked until toapis calls back`, () => {
	let id = '';
	let submitsBefore = 0;
	let readsBefore = 0;

	it(`while ${ITEMS} videos render, the execution waits in the database and no worker holds it (no active queue job)`, async () => {
		({ acceptedSubmissions: submitsBefore, statusReads: readsBefore } = await sim.stats());
		const prompts = Array.from({ length: ITEMS }, (_, i) => `Row ${i + 1} [sim:ms=${TASK_SECONDS * 1000}]`).join('|');
		id = await start({ prompts });
		expect(await settle(id, (status) => status === 'waiting', 60_000)).toBe('waiting');
		const ranOn = n8n.workerOf(id);
		expect(ranOn).toBeDefined();
		await waitFor('the worker to finish its job', async () => (await n8n.redisCli(['llen', 'bull:jobs:active'])) === '0', 30_000, 200);
		const active = await n8n.redisCli(['llen', 'bull:jobs:active']);
		log(`execution ${id} parked by worker ${ranOn!.name}; active queue jobs: ${active}; submits: ${(await sim.stats()).acceptedSubmissions - submitsBefore}`);
		expect(active).toBe('0');
		expect((await sim.stats()).acceptedSubmissions - submitsBefore).toBe(ITEMS);

		await ranOn!.proc.kill();
		log(`worker ${ranOn!.name} (PID ${ranOn!.proc.pid}) SIGKILLed during the wait`);
		await n8n.stopMain();
		// The tasks end while main is down: their callbacks are refused and toapis retries them.
		await waitFor('callbacks refused while main is down', async () => (await deliveries()).some((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status === undefined), 90_000, 200);
		await n8n.startMain();
		log(`main restarted during the wait; the execution is '${await statusOf(id)}'`);
		expect(await statusOf(id)).toBe('waiting');
	});

	it('the callbacks resume it on the surviving worker: every task completed, every video downloaded, nothing paid twice', async () => {
		expect(await settle(id, undefined, 180_000)).toBe('success');
		const data = await runData(id);
		const generated = data['Sora Generate'].at(-1)!.data!.main[0]!;
		const downloaded = data['Sora Task Status'][0].data!.main[0]!;
		const stats = await sim.stats();
		const readsByGenerate = stats.statusReads - readsBefore - ITEMS;
		const refused = (await deliveries()).filter((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status !== 200).length;
		log(`${generated.filter((item) => item.json.status === 'completed').length}/${ITEMS} completed, ${downloaded.filter((item) => item.binary?.data).length}/${ITEMS} downloaded; submits ${stats.acceptedSubmissions - submitsBefore}; callback deliveries not answered 200 (n8n down or restarting): ${refused}; status reads by Sora Generate after the restart: ${readsByGenerate} (each task at most once)`);
		expect(refused).toBeGreaterThan(0);
		expect(readsByGenerate).toBeLessThanOrEqual(ITEMS);
		expect(generated.map((item) => item.json.status)).toEqual(Array(ITEMS).fill('completed'));
		expect(downloaded.filter((item) => item.binary?.data)).toHaveLength(ITEMS);
		expect(stats.acceptedSubmissions - submitsBefore).toBe(ITEMS);
		const stored = await n8n.sql(`SELECT encode(sha256(data), 'hex') FROM binary_data WHERE "sourceId" = '${id}' LIMIT 1`);
		expect(stored.split('\n')[0]).toBe(SAMPLE_SHA);
	});
});

