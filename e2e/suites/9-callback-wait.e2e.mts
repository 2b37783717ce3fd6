/**
 * Sora Generate's Wait Mode "Until Toapis Calls Back" in a real n8n 2.41.1 (regular mode, `n8n start`): the execution
 * parks after the submits and the last task's signed callback resumes it. Measured: the node's wall time against the
 * task time, status reads (0 expected); a failed task goes to the error output; forged, stale and replayed callbacks
 * resume nothing; a task that never calls back comes out at Max Wait with its id; n8n restarted while parked loses
 * nothing and pays nothing twice. Queue mode: 9-callback-wait-queue.e2e.mts.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/processes.mts';
import {
	CRED,
	deliveries,
	endOf,
	EXAMPLE,
	log,
	n8n,
	runBatch,
	runData,
	SECRET,
	send,
	settle,
	sim,
	start,
	statusOf,
	TASK_MS,
	useCallbackStack,
	type Deliveries,
	type RunData,
} from './callback-cases.mts';

useCallbackStack();

describe('Wait Mode "Until Toapis Calls Back" in a real n8n', () => {
	// n8n resumes at Max Wait only when its wait tracker looks (once a minute): this execution is started first and
	// checked last, so the other cases run meanwhile.
	const lost = { id: '', startedAt: 0 };
	it('a callback that never comes (toapis down, webhooks off): the execution parks with Max Wait 5 s', async () => {
		await sim.control('/__sim/webhooks/faults', { kind: 'lost' });
		lost.startedAt = Date.now();
		lost.id = await start({ prompts: 'A lost callback [sim:ms=500]', maxWait: 5 });
		await waitFor('the lost callback', async () => (await deliveries()).some((d) => d.variant === 'lost'), 30_000, 100);
		expect(await statusOf(lost.id)).toBe('waiting');
	});

	// Twice: the first batch after n8n started reads the credential at its first callback; the next one finds it read.
	for (const batch of ['first batch after the start', 'next batch']) {
		it(`10 items of ${TASK_MS / 1000} s tasks (${batch}): resumed by the callbacks, 0 status reads while waiting, every video downloaded after the resume`, async () => {
			const run = await runBatch(10);
			const data = await runData(run.execution.id);
			const generated = data['Sora Generate'].at(-1)!.data!.main[0]!;
			const downloaded = data['Sora Task Status'][0].data!.main[0]!;
			// Sora Generate's wait: from the end of the node before it to the end of its resumed run.
			const generateSeconds = (endOf(data, 'Sora Generate') - endOf(data, 'Rows')) / 1000;
			log(`10 items, ${batch}: Sora Generate ${generateSeconds.toFixed(2)} s from its start to its resumed output = ${(generateSeconds / (TASK_MS / 1000)).toFixed(2)}× the task time; ${run.seconds.toFixed(2)} s from the trigger to the end of the execution (with Sora Task Status' downloads); ${run.submits} submits; status reads by Sora Generate: ${run.reads - downloaded.length} (Sora Task Status read ${downloaded.length})`);
			expect(generateSeconds).toBeGreaterThanOrEqual(TASK_MS / 1000);
			const t0 = endOf(data, 'Rows');
			log(`callbacks (ms after Sora Generate started + ms to answer: status): ${(await deliveries()).slice(-10).map((d) => `${d.at - t0}+${d.answeredInMs}:${d.status}${d.attempt > 1 ? `#${d.attempt}` : ''}`).join(' ')}; resumed run started at ${data['Sora Generate'].at(-1)!.startTime - t0} ms`);
			expect(run.execution.status).toBe('success');
			expect(run.submits).toBe(10);
			expect(generated.map((item) => item.json.status)).toEqual(Array(10).fill('completed'));
			expect(downloaded.filter((item) => item.binary?.data)).toHaveLength(10);
			// Sora Generate read nothing: the only reads are Sora Task Status' one per item.
			expect(run.reads).toBe(10);
		});
	}

	it('a task that ends failed goes to the error output with its id; the others to the main output, paired with their rows', async () => {
		const id = await start({ prompts: 'A calm sea|A forbidden scene [sim:fail]|A quiet forest' });
		expect(await settle(id)).toBe('success');
		const data = await runData(id);
		const main = data['Sora Generate'].at(-1)!.data!.main;
		expect(main[0]!.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(main[1]).toHaveLength(1);
		const failed = main[1]![0];
		expect(failed.json.error.message).toMatch(/^Sora task \S+ failed/);
		expect(failed.json.details.status).toBe('failed');
		expect(failed.json.details.id).toMatch(/\S/);
		expect((main[0]![1] as { pairedItem?: unknown }).pairedItem).toEqual({ item: 2 });
		expect(data['Failed'][0].data!.main[0]).toHaveLength(1);
		log(`main: ${main[0]!.length} completed; error output: ${failed.json.error.message}`);
	});

	it('forged, stale and unsigned callbacks are refused (401) and resume nothing; a replayed one resumes nothing; the genuine one resumes', async () => {
		const submitsBefore = (await sim.stats()).acceptedSubmissions;
		const id = await start({ prompts: 'A fast shot [sim:ms=1000]|A slow shot [sim:ms=9000]' });
		// Once the fast task has called back, the execution waits for the slow one.
		let fast: Deliveries[number] | undefined;
		await waitFor('the fast task\'s callback', async () => {
			fast = (await deliveries()).find((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status === 200);
			return fast !== undefined;
		}, 30_000, 100);
		expect(await statusOf(id)).toBe('waiting');
		const slowId = (await runData(id).catch(() => ({}) as RunData))['Sora Generate']?.at(-1)?.data?.main[0]?.[1]?.json.id as string | undefined;
		expect(slowId).toBeTruthy();
		const claim = { type: 'generation.completed', data: { task_id: slowId, status: 'SUCCESS', progress: '100%', result: { type: 'video', data: [{ url: `${sim.cdnUrl}/forged.mp4` }] } } };
		const answers = {
			forged: await send({ url: fast!.url, variant: 'forged', event: claim }),
			stale: await send({ url: fast!.url, variant: 'stale', event: claim }),
			replayed: await send({ replayOf: fast!.eventId }),
		};
		const unsigned = await fetch(fast!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'evt_x', ...claim }) });
		log(`forged: ${answers.forged}; stale: ${answers.stale}; replayed: ${answers.replayed}; unsigned: ${unsigned.status}`);
		expect(answers.forged).toMatch(/^401 .*invalid_signature/);
		expect(answers.stale).toMatch(/^401 .*stale_timestamp/);
		expect(answers.replayed).toMatch(/^200 /);
		expect(unsigned.status).toBe(401);
		expect(await statusOf(id)).toBe('waiting');
		expect(await settle(id)).toBe('success');
		const outputs = (await runData(id))['Sora Generate'].at(-1)!.data!.main[0]!;
		expect(outputs.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(String(outputs[1].json.videoUrl)).not.toContain('forged');
		expect((await sim.stats()).acceptedSubmissions - submitsBefore).toBe(2);
		// After the resume, a replay reaches a finished execution: n8n refuses it, nothing runs again.
		const late = await send({ replayOf: fast!.eventId });
		log(`replay after the resume: ${late.slice(0, 120)}`);
		expect(late).toMatch(/^409 /);
	});

	it('n8n\'s main restarted while parked: the callbacks toapis retries resume the execution; nothing paid twice', async () => {
		const submitsBefore = (await sim.stats()).acceptedSubmissions;
		const readsBefore = (await sim.stats()).statusReads;
		const id = await start({ prompts: 'One [sim:ms=6000]|Two [sim:ms=6000]|Three [sim:ms=9000]' });
		await settle(id, (status) => status === 'waiting', 30_000);
		await n8n.stopMain();
		log('main stopped while the execution was parked');
		// The first two tasks end and call back while n8n is down: refused connections, retried.
		await waitFor('two callbacks refused', async () => (await deliveries()).filter((d) => d.url.includes(`/webhook-waiting/${id}`) && d.status === undefined).length >= 2, 60_000, 200);
		await n8n.startMain();
		expect(await settle(id)).toBe('success');
		const outputs = (await runData(id))['Sora Generate'].at(-1)!.data!.main[0]!;
		const stats = await sim.stats();
		log(`after the restart: ${outputs.map((item) => item.json.status).join(', ')}; ${stats.acceptedSubmissions - submitsBefore} submits; ${stats.statusReads - readsBefore - 3} status reads by Sora Generate`);
		expect(outputs.map((item) => item.json.status)).toEqual(['completed', 'completed', 'completed']);
		expect(stats.acceptedSubmissions - submitsBefore).toBe(3);
	});

	it('the shipped example (examples/callback-wait.json): 5 rows parked, resumed by their callbacks, 5 videos downloaded', async () => {
		const before = (await n8n.executions.list(EXAMPLE)).map((e) => e.id);
		const started = await fetch(`${n8n.baseUrl}/webhook/sora-callback-batch-example`);
		expect(started.status).toBe(200);
		let id = '';
		await waitFor('the example execution', async () => {
			id = (await n8n.executions.list(EXAMPLE)).map((e) => e.id).find((e) => !before.includes(e)) ?? '';
			return id !== '';
		}, 60_000, 100);
		expect(await settle(id)).toBe('success');
		const data = await runData(id);
		const videos = data['Download Video'][0].data!.main[0]!;
		log(`example: ${videos.length} items, ${videos.filter((item) => item.binary?.video).length} with the video, business ids ${videos.map((item) => item.json.clientBusinessId).join(' ')}`);
		expect(videos.filter((item) => item.binary?.video)).toHaveLength(5);
		expect(videos.map((item) => item.json.clientBusinessId)).toEqual(['row-01', 'row-02', 'row-03', 'row-04', 'row-05']);
	});

	it("the token's signing secret changed (toapis console and credential): the next callbacks verify with the new one, none refused", async () => {
		const secret = randomBytes(32).toString('hex');
		const defaultUrl = `${n8n.baseUrl}/webhook/sora-token-default`;
		await sim.control('/__sim/webhooks', { secret });
		await n8n.rest('PATCH', `/rest/credentials/${CRED}`, {
			name: 'Sora (toapis)',
			type: 'soraApi',
			data: { apiFlavor: 'toapis', baseUrl: sim.url, apiKey: sim.apiKey, webhookUrl: defaultUrl, webhookSecret: secret },
		});
		const id = await start({ items: 2 });
		expect(await settle(id)).toBe('success');
		const answers = (await deliveries()).filter((d) => d.url.includes(`/webhook-waiting/${id}`)).map((d) => d.status);
		log(`after the secret changed: callbacks answered ${answers.join(', ')}`);
		expect(answers).toEqual([200, 200]);
		await sim.control('/__sim/webhooks', { secret: SECRET });
		await n8n.rest('PATCH', `/rest/credentials/${CRED}`, {
			name: 'Sora (toapis)',
			type: 'soraApi',
			data: { apiFlavor: 'toapis', baseUrl: sim.url, apiKey: sim.apiKey, webhookUrl: defaultUrl, webhookSecret: SECRET },
		});
	});

	it('… at Max Wait n8n resumed it: the task goes to the error output (On Error says so) with its id and what to do', async () => {
		expect(await settle(lost.id, undefined, 180_000)).toBe('success');
		const data = await runData(lost.id);
		const [main, errors] = data['Sora Generate'].at(-1)!.data!.main;
		// On Error is "error output": the task that never called back goes there, as a poll that timed out would.
		expect(main ?? []).toEqual([]);
		const item = errors![0];
		log(`resumed by n8n ${((Date.now() - lost.startedAt) / 1000).toFixed(0)} s after the start at the latest (Max Wait 5 s; n8n checks parked executions every minute), on the error output: ${item.json.error.message}`);
		expect(item.json.details.id).toMatch(/\S/);
		expect(item.json.error.message).toContain(`task ${item.json.details.id}`);
		expect(item.json.error.description).toContain('Sora Task Status');
		expect(item.json.row).toBe(1);
		expect(data['Failed'][0].data!.main[0]).toHaveLength(1);
	});
});
