/**
 * Issue 21, "never pay twice, never lose a task", in a real n8n 2.41.1 in queue mode (PostgreSQL, Redis, main + 2
 * workers) against the Sora simulator (toapis). Every case prints what it measured; nothing is a fixed verdict.
 *   crash     three workflows of 20 items of Sora Generate (wait + download) started together, the workers running
 *             them SIGKILLed mid-wait, n8n gives the three executions up at once (one stall wait, not three); then
 *   retry     n8n's Retry of the crashed execution (the node's own business ids): paid submits, videos, items reused
 *   progress  the same with the workflow's Save Execution Progress on: what n8n saved before the kill and after it
 *             gave the execution up, and what its Retry runs
 *   rerun     Client Business ID = the row id, then a new execution of the workflow (a user re-run)
 *   inplace   issue 21's path, during that crash's stall wait: a fourth run's worker SIGKILLed and started again with
 *             its user folder; the status n8n shows (its recovery from the worker's event log), what it keeps, and
 *             n8n's Retry as soon as the execution shows ended
 *   postgres  PostgreSQL restarted (pg_ctl restart -m fast) while 20 items wait: duplicates, videos, executions left
 *   trigger   a Sora Trigger delivery of a 200 MiB video: answer time; n8n main SIGKILLed during the download and
 *             restarted; toapis' redelivery: executions for the event, the video in n8n's store
 * The stall settings (QUEUE_WORKER_LOCK_DURATION and friends) are shortened so that n8n gives up on a killed worker's
 * execution in seconds instead of about two minutes; nothing else differs from the queue-mode suite.
 *   npx vitest run -c vitest.e2e.config.mts e2e/suites/8-paid-work
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'flatted';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SHA } from '../harness/checks.mts';
import { startN8n, type N8nStack, type WorkflowSpec } from '../harness/n8n.mts';
import { SAMPLE_MP4 } from '../harness/paths.mts';
import { sleep, waitFor } from '../harness/processes.mts';
import { startSimulatorProcess, type Simulator } from '../harness/simulator.mts';
import { soraCredential } from '../harness/workflows.mts';

const ITEMS = 20;
/** Render time of every task: long enough to kill a worker, let n8n give up, and retry before the videos are done */
const RENDER_MS = 30_000;
const CREDENTIAL = 'soraPaidCred0001';
const SECRET = randomBytes(32).toString('hex');
const TRIGGER_WEBHOOK_ID = '8a1b0a2c-0000-4000-8000-00000000b021';
const TRIGGER_PATH = `${TRIGGER_WEBHOOK_ID}/webhook`;
const WF = { defaults: 'soraPaidDefault1', rows: 'soraPaidRows0001', progress: 'soraPaidProgress', maxWait: 'soraPaidMaxWait1', trigger: 'soraPaidTrigger1' };
/** Max Wait of the workflow whose Sora Generate fails while its tasks still render (they take MAXWAIT_RENDER_MS) */
const MAXWAIT_S = 8;
const MAXWAIT_RENDER_MS = 14_000;
const log = (line: string) => console.log(`  ${line}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Webhook → 20 rows (prompts fixed by ?run=, so a Retry asks for the same videos) → Sora Generate (wait + download) */
function generateWorkflow(id: string, path: string, rowIds: boolean, maxWaitSeconds = 600, saveExecutionProgress = false): WorkflowSpec {
	const node = () => randomUUID();
	return {
		id,
		name: `Paid work: ${rowIds ? 'Client Business ID per row' : "the node's own business ids"}${saveExecutionProgress ? ', Save Execution Progress on' : ''}`,
		active: false,
		// saveExecutionProgress: n8n's workflow setting "Save execution progress" (EXECUTIONS_DATA_SAVE_ON_PROGRESS for all)
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all', ...(saveExecutionProgress ? { saveExecutionProgress: true } : {}) },
		connections: {
			Webhook: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'Sora Generate', type: 'main', index: 0 }]] },
		},
		nodes: [
			{ id: node(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { path, responseMode: 'onReceived', options: {} } },
			{
				id: node(),
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: `const q = $input.first().json.query;\nreturn Array.from({ length: ${ITEMS} }, (_, i) => ({ json: { row: q.run + '-row-' + String(i + 1).padStart(2, '0'), prompt: 'Paid work ' + q.run + ' item ' + i + ' [sim:ms=' + q.ms + ']' } }));`,
				},
			},
			{
				id: node(),
				name: 'Sora Generate',
				type: 'n8n-nodes-sora.soraGenerate',
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					model: { __rl: true, mode: 'list', value: 'sora-2' },
					prompt: '={{ $json.prompt }}',
					duration: 10,
					waitForCompletion: true,
					pollInterval: 1,
					maxWaitTime: maxWaitSeconds,
					downloadVideo: true,
					binaryPropertyName: 'video',
					additionalFields: rowIds ? { clientBusinessId: '={{ $json.row }}' } : {},
					options: {},
				},
				credentials: { soraApi: { id: CREDENTIAL, name: 'Sora (toapis)' } },
			},
		],
		pinData: {},
	};
}

function triggerWorkflow(): WorkflowSpec {
	return {
		id: WF.trigger,
		name: 'Paid work: Sora Trigger with the video',
		active: false,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		connections: {},
		nodes: [
			{
				id: '8c3a0c6e-0000-4000-8000-000000000001',
				name: 'Sora Trigger',
				type: 'n8n-nodes-sora.soraTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: TRIGGER_WEBHOOK_ID,
				parameters: { events: 'completed', downloadVideo: true, binaryPropertyName: 'video' },
				credentials: { soraApi: { id: CREDENTIAL, name: 'Sora (toapis)' } },
			},
		],
		pinData: {},
	};
}

let sim: Simulator;
let n8n: N8nStack;
beforeAll(async () => {
	sim = await startSimulatorProcess({ rateLimit: '20,40,100,1000' });
});
afterAll(async () => {
	await n8n?.stop();
	await sim?.stop();
});

const accepted = async () => (await sim.stats()).acceptedSubmissions;
const statusOf = (id: string) => n8n.sql(`SELECT status FROM execution_entity WHERE id = '${id}'`);
const executionsOf = async (workflowId: string) => (await n8n.sql(`SELECT id FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id::int`)).split('\n').filter(Boolean);
const ended = (s: string) => !['new', 'running', 'waiting', ''].includes(s);

/** The Sora Generate items an execution saved (n8n stores run data as flatted JSON) */
async function generateItems(executionId: string): Promise<Array<{ json: Record<string, any>; binary?: Record<string, { id?: string }> }>> {
	const text = await n8n.sql(`SELECT data FROM execution_data WHERE "executionId" = '${executionId}'`);
	const data = parse(text) as { resultData: { runData: Record<string, Array<{ data?: { main: unknown[][] } }>> } };
	return (data.resultData.runData['Sora Generate']?.at(-1)?.data?.main[0] ?? []) as never;
}

/** Videos in n8n's database binary store for an execution equal to the simulator's sample */
const storedVideos = async (executionId: string) =>
	Number(await n8n.sql(`SELECT count(*) FROM binary_data WHERE "sourceId" = '${executionId}' AND encode(sha256(data), 'hex') = '${SAMPLE_SHA}'`));

/** What n8n saved for an execution: its size, the start a Retry would keep, the nodes with run data and those left to run */
async function savedData(executionId: string) {
	const text = await n8n.sql(`SELECT data FROM execution_data WHERE "executionId" = '${executionId}'`);
	let data: any;
	try {
		data = parse(text);
	} catch {
		data = undefined;
	}
	const start = data?.executionData?.runtimeData?.establishedAt ?? /"establishedAt":(\d+)/.exec(text)?.[1];
	return {
		chars: text.length,
		establishedAt: start === undefined ? undefined : String(start),
		runData: Object.keys(data?.resultData?.runData ?? {}),
		toRun: ((data?.executionData?.nodeExecutionStack ?? []) as Array<{ node?: { name?: string } }>).map((e) => e.node?.name ?? '?'),
		lastNode: data?.resultData?.lastNodeExecuted as string | undefined,
		error: (data?.resultData?.error?.message as string | undefined)?.slice(0, 70),
	};
}
type Saved = Awaited<ReturnType<typeof savedData>>;
const describeSaved = (s: Saved) =>
	`${s.chars} chars, establishedAt ${s.establishedAt ?? 'absent'}, run data of [${s.runData.join(', ')}], left to run [${s.toRun.join(', ')}], last node ${s.lastNode ?? 'none'}${s.error ? `, error "${s.error}…"` : ''}`;

interface Crash {
	executionId: string;
	status: string;
	/** paid submits of this execution (counted while it alone was submitting) */
	paid: number;
	/** what n8n had saved just before the kill, and after it gave the execution up */
	beforeKill: Saved;
	saved: Saved;
	establishedAt?: string;
}

/**
 * Starts each workflow with 20 rows, one after the other (each waits for its 20 paid submits), SIGKILLs the workers
 * running them mid-wait, starts replacement workers (as restarted hosts: Bull's stall check runs in workers) and waits
 * until n8n gives every execution up. One stall wait for all of them. Returns what was measured per workflow.
 */
async function crashMidWait(runs: Array<{ workflowId: string; path: string; run: string }>, during?: () => Promise<{ paid: number }>) {
	const before = await accepted();
	const t0 = Date.now();
	const started: Array<{ workflowId: string; run: string; executionId: string; paid: number }> = [];
	for (const { workflowId, path, run } of runs) {
		const known = new Set(await executionsOf(workflowId));
		const b = await accepted();
		await fetch(`${n8n.baseUrl}/webhook/${path}?run=${run}&ms=${RENDER_MS}`).then((r) => r.arrayBuffer());
		await waitFor(`${ITEMS} submits of ${run}`, async () => (await accepted()) >= b + ITEMS, 60_000, 200);
		const paid = (await accepted()) - b;
		const executionId = await waitFor(`the ${run} execution on a worker`, async () => {
			const id = (await executionsOf(workflowId)).find((x) => !known.has(x));
			return id && n8n.workerOf(id) ? id : undefined;
		}, 30_000, 200);
		started.push({ workflowId, run, executionId, paid });
	}
	const submitted = Date.now() - t0;
	await sleep(1000); // mid-wait: every task submitted, none finished (they render for RENDER_MS)
	const beforeKill = await Promise.all(started.map((s) => savedData(s.executionId)));
	const workers = [...new Set(started.map((s) => n8n.workerOf(s.executionId)!))];
	await Promise.all(workers.map((w) => w.proc.kill()));
	const killedAt = Date.now();
	for (const w of workers) await n8n.addWorker(`${w.name}r`); // back to 2 workers, as restarted hosts
	// another case may run meanwhile (its own crash), overlapping this stall wait; its paid submits are its own
	const [statuses, other] = await Promise.all([
		Promise.all(started.map((s) => waitFor(`n8n to give execution ${s.executionId} up`, async () => {
			const st = await statusOf(s.executionId);
			return ended(st) ? { status: st, ms: Date.now() - killedAt } : undefined;
		}, 180_000, 250))),
		during?.(),
	]);
	const total = (await accepted()) - before - (other?.paid ?? 0);
	log(`crash: ${started.length} executions, ${total} paid submits in all, submitted in ${secs(submitted)}; workers ${workers.map((w) => w.name).join(', ')} SIGKILLed ${secs(killedAt - t0)} after the first call`);
	const crashes: Record<string, Crash> = {};
	for (const [i, s] of started.entries()) {
		const saved = await savedData(s.executionId);
		crashes[s.workflowId] = { executionId: s.executionId, status: statuses[i].status, paid: s.paid, beforeKill: beforeKill[i], saved, establishedAt: saved.establishedAt };
		log(`${s.run}: execution ${s.executionId}, ${s.paid} paid submits; n8n marked it '${statuses[i].status}' ${secs(statuses[i].ms)} after the kill`);
		log(`${s.run}:   saved before the kill: ${describeSaved(beforeKill[i])}`);
		log(`${s.run}:   saved after n8n gave it up: ${describeSaved(saved)}`);
	}
	return { crashes, total };
}

/** n8n's Retry of an execution as the editor's button sends it ("Retry with original workflow"): its id, status, items */
async function retry(executionId: string) {
	const t0 = Date.now();
	const answer = await n8n.rest<{ data?: unknown; message?: string }>('POST', `/rest/executions/${executionId}/retry`, { loadWorkflow: false });
	const retryId = await n8n.sql(`SELECT id FROM execution_entity WHERE "retryOf" = '${executionId}' ORDER BY id::int DESC LIMIT 1`);
	const status = retryId
		? await waitFor('the retry to end', async () => {
				const s = await statusOf(retryId);
				return ended(s) ? s : undefined;
			}, 180_000, 500)
		: 'no retry execution';
	const items = retryId ? await generateItems(retryId) : [];
	const stored = retryId ? await storedVideos(retryId) : 0;
	const establishedAt = retryId ? /"establishedAt":(\d+)/.exec(await n8n.sql(`SELECT data FROM execution_data WHERE "executionId" = '${retryId}'`))?.[1] : undefined;
	return { answer: JSON.stringify(answer).slice(0, 100), retryId, status, items, stored, establishedAt, ms: Date.now() - t0 };
}

/** Lines of a log file from a byte offset that match a pattern (n8n's own words, for the report) */
function logLines(file: string, from: number, pattern: RegExp, max = 8) {
	const text = readFileSync(file).subarray(from).toString('utf8');
	return text.split('\n').filter((l) => pattern.test(l)).map((l) => l.replace(/\s+/g, ' ').slice(0, 220)).slice(0, max);
}

/**
 * Issue 21 as reported: the worker running a 20-item Sora Generate wait SIGKILLed, then THAT worker started again
 * (same name, same user folder, so its event log too). On start, a worker reads its event log and amends the
 * executions it left unfinished (n8n's ExecutionRecoveryService.recoverFromLogs: status `crashed`, the node that
 * was running marked crashed), while main still waits for the job's stall (MaxStalledCountError, then it saves
 * the stall error over the data). Watches the status from the kill on, runs n8n's Retry as soon as n8n shows the
 * execution ended (as a user would), then waits for main's verdict on the killed job.
 */
async function crashRestartInPlace() {
	const known = new Set(await executionsOf(WF.defaults));
	const b = await accepted();
	await fetch(`${n8n.baseUrl}/webhook/sora-paid-default?run=inplace&ms=${RENDER_MS}`).then((r) => r.arrayBuffer());
	await waitFor(`${ITEMS} submits of inplace`, async () => (await accepted()) >= b + ITEMS, 60_000, 200);
	const paid = (await accepted()) - b;
	const executionId = await waitFor('the inplace execution on a worker', async () => {
		const id = (await executionsOf(WF.defaults)).find((x) => !known.has(x));
		return id && n8n.workerOf(id) ? id : undefined;
	}, 30_000, 200);
	const worker = n8n.workerOf(executionId)!;
	await sleep(1000); // mid-wait
	const beforeKill = await savedData(executionId);
	const workerFrom = readFileSync(worker.log).length;
	const mainFrom = readFileSync(n8n.mainLog).length;
	await worker.proc.kill();
	const killedAt = Date.now();
	const timeline: Array<{ status: string; ms: number }> = [];
	let whenCrashed: Saved | undefined;
	let watching = true;
	const watcher = (async () => {
		while (watching) {
			const st = await statusOf(executionId).catch(() => '?');
			if (st !== timeline.at(-1)?.status) {
				timeline.push({ status: st, ms: Date.now() - killedAt });
				if (st === 'crashed' && !whenCrashed) whenCrashed = await savedData(executionId);
			}
			await sleep(200);
		}
	})();
	// the worker amends its executions while it starts (event bus first), before it reports ready: watch meanwhile
	const restarting = n8n.restartWorker(worker.name).then(() => Date.now() - killedAt);
	const shown = await waitFor('n8n to end the execution', async () => {
		const st = await statusOf(executionId);
		return ended(st) ? { status: st, ms: Date.now() - killedAt } : undefined;
	}, 180_000, 100);
	const before = await accepted();
	const retried = await retry(executionId);
	const newSubmits = (await accepted()) - before;
	const restartMs = await restarting;
	// main's own verdict on the killed job comes with its stall: "Problem with execution <id>: job stalled more than maxStalledCount"
	const mainSaid = () => readFileSync(n8n.mainLog).subarray(mainFrom).toString('utf8').includes(`Problem with execution ${executionId}`);
	const verdictBeforeRetryEnded = mainSaid();
	const verdict = await waitFor("main's verdict on the stalled job", mainSaid, 90_000, 250).then(() => true, () => false);
	await sleep(1000);
	watching = false;
	await watcher;
	const final = await savedData(executionId);
	const finalStatus = await statusOf(executionId);
	const recovery = logLines(worker.log, workerFrom, /recover|unfinished|crash/i);
	const mainLines = logLines(n8n.mainLog, mainFrom, new RegExp(`execution ${executionId}\\b.*(stall|Problem|crash)|Problem with execution ${executionId}\\b`, 'i'), 3);
	log(`inplace: execution ${executionId}, ${paid} paid submits; worker ${worker.name} SIGKILLed mid-wait and started again with its user folder, ready ${secs(restartMs)} after the kill`);
	log(`inplace:   status from the kill on: ${timeline.map((t) => `${t.status} @${secs(t.ms)}`).join(' → ')}`);
	log(`inplace:   the worker's log after its restart: ${recovery.length ? recovery.join(' | ') : 'no recovery line'}`);
	log(`inplace:   main's log: ${mainLines.length ? mainLines.join(' | ') : 'nothing on it'}`);
	log(`inplace:   saved before the kill: ${describeSaved(beforeKill)}`);
	log(`inplace:   saved while 'crashed': ${whenCrashed ? describeSaved(whenCrashed) : 'never crashed'}`);
	log(`inplace:   Retry at '${shown.status}' ${secs(shown.ms)} after the kill: ${retried.answer}…; execution ${retried.retryId} '${retried.status}' after ${secs(retried.ms)}; establishedAt ${retried.establishedAt ?? 'absent'}; new paid submits ${newSubmits}; Sora Generate items ${retried.items.length}, reused ${retried.items.filter((i) => i.json.reused === true).length}, videos equal to the simulator's ${retried.stored}`);
	log(`inplace:   then main ${verdict ? `gave the job up (${verdictBeforeRetryEnded ? 'before' : 'after'} the Retry ended)` : 'said nothing on the job within 90 s'}; the execution is now '${finalStatus}': ${describeSaved(final)}`);
	return { executionId, paid: paid + newSubmits, firstPaid: paid, restartMs, timeline, recovery, beforeKill, whenCrashed, shown, retried, newSubmits, verdict, final, finalStatus };
}
type InPlace = Awaited<ReturnType<typeof crashRestartInPlace>>;

describe('never pay twice, never lose a task (issue 21): queue mode, main + 2 workers', () => {
	it('queue mode up with the paid-work workflows and the Sora Trigger published', async () => {
		const t0 = Date.now();
		n8n = await startN8n({
			label: 'sora-paid',
			mode: 'queue',
			workers: 2,
			credentials: [soraCredential(CREDENTIAL, 'toapis', sim.url, sim.apiKey, { webhookUrl: 'http://127.0.0.1:9/unused', webhookSecret: SECRET }, 'Sora (toapis)')],
			workflows: [generateWorkflow(WF.defaults, 'sora-paid-default', false), generateWorkflow(WF.rows, 'sora-paid-rows', true), generateWorkflow(WF.progress, 'sora-paid-progress', false, 600, true), generateWorkflow(WF.maxWait, 'sora-paid-maxwait', false, MAXWAIT_S), triggerWorkflow()],
			publish: 'all',
			// n8n gives a killed worker's job up after lock + stalled interval: seconds here, about 2 minutes by default
			env: { QUEUE_WORKER_LOCK_DURATION: '10000', QUEUE_WORKER_LOCK_RENEW_TIME: '2000', QUEUE_WORKER_STALLED_INTERVAL: '5000' },
			waitForWebhooks: [{ path: TRIGGER_PATH, method: 'POST', status: 401 }],
		});
		log(`up in ${secs(Date.now() - t0)}; logs in ${n8n.dir}`);
		expect(n8n.workers.filter((w) => w.proc.alive())).toHaveLength(2);
	});

	describe('workers SIGKILLed mid-wait while three workflows wait for 20 videos each (one crash, n8n gives all three up)', () => {
		let crashed: Awaited<ReturnType<typeof crashMidWait>>;
		let inPlace: InPlace;
		beforeAll(async () => {
			crashed = await crashMidWait(
				[
					{ workflowId: WF.defaults, path: 'sora-paid-default', run: 'retry' },
					{ workflowId: WF.progress, path: 'sora-paid-progress', run: 'progress' },
					{ workflowId: WF.rows, path: 'sora-paid-rows', run: 'rows' },
				],
				// issue 21's path, during this crash's stall wait (one wait for both): a fourth run's worker killed and started again
				async () => (inPlace = await crashRestartInPlace()),
			);
		});
		it(`the three runs paid for ${3 * ITEMS} videos in all before their workers were killed, no more`, () => expect(crashed.total).toBe(3 * ITEMS));

		describe("issue 21's path: the worker SIGKILLed mid-wait started again with its user folder, then n8n's Retry as soon as n8n shows the execution ended (the node's own business ids)", () => {
			it(`the run paid for ${ITEMS} videos before its worker was killed`, () => expect(inPlace.firstPaid).toBe(ITEMS));
			it("the restarted worker's startup recovery (its event log) marks the execution 'crashed' before main gives the job up", () => {
				expect(inPlace.timeline.map((t) => t.status)).toContain('crashed');
				expect(inPlace.shown.status).toBe('crashed');
			});
			it('while crashed, the saved data keeps the execution start and the node left to run', () => {
				expect(inPlace.whenCrashed?.establishedAt).toBe(inPlace.beforeKill.establishedAt);
				expect(inPlace.whenCrashed?.establishedAt).toMatch(/^\d+$/);
			});
			it("the Retry keeps the crashed execution's start and sends no new paid submit", () => {
				expect(inPlace.retried.establishedAt).toBe(inPlace.beforeKill.establishedAt);
				expect(inPlace.newSubmits).toBe(0);
			});
			it(`the Retry succeeds and delivers all ${ITEMS} videos, equal to the simulator's, each item marked reused`, () => {
				expect(inPlace.retried.status).toBe('success');
				expect(inPlace.retried.items.filter((i) => i.json.status === 'completed' && i.binary?.video)).toHaveLength(ITEMS);
				expect(inPlace.retried.items.filter((i) => i.json.reused === true)).toHaveLength(ITEMS);
				expect(inPlace.retried.stored).toBe(ITEMS);
			});
			it("then main gives the killed job up (stall) and saves its stall error over the crashed execution's data: a later Retry would run nothing", () => {
				expect(inPlace.verdict).toBe(true);
				expect(inPlace.finalStatus).toBe('error');
				expect(inPlace.final.establishedAt).toBeUndefined();
				expect(inPlace.final.runData).toEqual([]);
			});
		});

		describe("then n8n's Retry of the crashed execution (the node's own business ids)", () => {
			let crash: Crash;
			let retried: Awaited<ReturnType<typeof retry>>;
			let newSubmits = -1;
			beforeAll(async () => {
				crash = crashed.crashes[WF.defaults];
				const before = await accepted();
				retried = await retry(crash.executionId);
				newSubmits = (await accepted()) - before;
				log(`retry of the crashed execution: ${retried.answer}…; execution ${retried.retryId} (retryOf ${crash.executionId}) '${retried.status}' after ${secs(retried.ms)}; establishedAt ${retried.establishedAt ?? 'absent'} (crashed execution's: ${crash.establishedAt ?? 'absent'}); new paid submits ${newSubmits}; Sora Generate items ${retried.items.length}, videos ${retried.stored}`);
			});
			it(`the first run paid for ${ITEMS} videos before its worker was killed, and n8n gave the execution up`, () => {
				expect(crash.paid).toBe(ITEMS);
				expect(crash.status).toBe('error');
			});
			it('what n8n saved for the crashed execution holds no execution start: main replaced its data with the stall error', () => {
				expect(crash.beforeKill.establishedAt).toMatch(/^\d+$/); // saved when main queued it, before the worker ran it
				expect(crash.establishedAt).toBeUndefined();
			});
			it('the Retry sends no new paid submit', () => expect(newSubmits).toBe(0));
			it('the Retry runs no node and ends in error at once: it delivers none of the videos (read them with Sora Task Status, or re-run with a Client Business ID per row)', () => {
				expect(retried.status).toBe('error');
				expect(retried.items).toHaveLength(0);
				expect(retried.stored).toBe(0);
			});
		});

		describe("then n8n's Retry of the crashed execution whose workflow has Save Execution Progress on (the node's own business ids)", () => {
			let crash: Crash;
			let retried: Awaited<ReturnType<typeof retry>>;
			let newSubmits = -1;
			beforeAll(async () => {
				crash = crashed.crashes[WF.progress];
				const before = await accepted();
				retried = await retry(crash.executionId);
				newSubmits = (await accepted()) - before;
				log(`retry of the crashed execution (progress saved): ${retried.answer}…; execution ${retried.retryId} (retryOf ${crash.executionId}) '${retried.status}' after ${secs(retried.ms)}; establishedAt ${retried.establishedAt ?? 'absent'}; new paid submits ${newSubmits}; Sora Generate items ${retried.items.length}, reused ${retried.items.filter((i) => i.json.reused === true).length}, videos ${retried.stored}`);
			});
			it(`the first run paid for ${ITEMS} videos before its worker was killed, and n8n gave the execution up`, () => {
				expect(crash.paid).toBe(ITEMS);
				expect(crash.status).toBe('error');
			});
			it('while Sora Generate waited, n8n had saved the progress: the run data of the nodes before it and the execution start', () => {
				expect(crash.beforeKill.runData).toEqual(expect.arrayContaining(['Webhook', 'Rows']));
				expect(crash.beforeKill.establishedAt).toMatch(/^\d+$/);
			});
			it("when n8n gave the execution up, main replaced that progress with the stall error: no run data, no node left to run, no start", () => {
				expect(crash.saved.runData).toEqual([]);
				expect(crash.saved.toRun).toEqual([]);
				expect(crash.saved.establishedAt).toBeUndefined();
			});
			it('so the Retry, as without the setting, runs no node, sends no new paid submit and delivers none of the videos', () => {
				expect(newSubmits).toBe(0);
				expect(retried.status).toBe('error');
				expect(retried.items).toHaveLength(0);
				expect(retried.stored).toBe(0);
			});
		});

		describe('then a new run of the workflow (Client Business ID = the row id)', () => {
			let crash: Crash;
			let rerunId = '';
			let items: Awaited<ReturnType<typeof generateItems>> = [];
			let newSubmits = -1;
			let stored = -1;
			let rerunStatus = '';
			beforeAll(async () => {
				crash = crashed.crashes[WF.rows];
				const before = await accepted();
				const t0 = Date.now();
				const known = new Set(await executionsOf(WF.rows));
				await fetch(`${n8n.baseUrl}/webhook/sora-paid-rows?run=rows&ms=${RENDER_MS}`).then((r) => r.arrayBuffer());
				rerunId = await waitFor('the new execution', async () => (await executionsOf(WF.rows)).find((id) => !known.has(id)), 30_000, 200);
				rerunStatus = await waitFor('the re-run to end', async () => {
					const s = await statusOf(rerunId);
					return ended(s) ? s : undefined;
				}, 180_000, 500);
				newSubmits = (await accepted()) - before;
				items = await generateItems(rerunId);
				stored = await storedVideos(rerunId);
				log(`re-run: execution ${rerunId} '${rerunStatus}' after ${secs(Date.now() - t0)}; new paid submits ${newSubmits}; items ${items.length}, reused ${items.filter((i) => i.json.reused === true).length}, videos equal to the simulator's ${stored}`);
			});
			it(`the first run paid for ${ITEMS} videos before its worker was killed`, () => expect(crash.paid).toBe(ITEMS));
			it('the re-run ends in success and sends no new paid submit', () => {
				expect(rerunStatus).toBe('success');
				expect(newSubmits).toBe(0);
			});
			it(`the re-run delivers all ${ITEMS} videos, each item marked reused`, () => {
				expect(items.filter((i) => i.json.status === 'completed' && i.binary?.video)).toHaveLength(ITEMS);
				expect(items.filter((i) => i.json.reused === true)).toHaveLength(ITEMS);
				expect(stored).toBe(ITEMS);
			});
		});
	});

	describe("Sora Generate failed (Max Wait reached while its 20 tasks render), then n8n's Retry (the node's own business ids)", () => {
		let executionId = '';
		let status = '';
		let paid = -1;
		let savedStart: string | undefined;
		let retried: Awaited<ReturnType<typeof retry>>;
		let newSubmits = -1;
		beforeAll(async () => {
			const before = await accepted();
			const known = new Set(await executionsOf(WF.maxWait));
			const t0 = Date.now();
			await fetch(`${n8n.baseUrl}/webhook/sora-paid-maxwait?run=maxwait&ms=${MAXWAIT_RENDER_MS}`).then((r) => r.arrayBuffer());
			executionId = await waitFor('the execution', async () => (await executionsOf(WF.maxWait)).find((id) => !known.has(id)), 30_000, 200);
			status = await waitFor('the execution to end', async () => {
				const s = await statusOf(executionId);
				return ended(s) ? s : undefined;
			}, 120_000, 250);
			paid = (await accepted()) - before;
			savedStart = /"establishedAt":(\d+)/.exec(await n8n.sql(`SELECT data FROM execution_data WHERE "executionId" = '${executionId}'`))?.[1];
			const failedAfter = Date.now() - t0;
			// the tasks finish at the provider meanwhile; then the user retries the failed execution
			await sleep(Math.max(0, MAXWAIT_RENDER_MS + 1000 - failedAfter));
			retried = await retry(executionId);
			newSubmits = (await accepted()) - before - paid;
			log(`Max Wait ${MAXWAIT_S} s: execution ${executionId} '${status}' after ${secs(failedAfter)}, ${paid} paid submits, saved establishedAt ${savedStart ?? 'absent'}; retry ${retried.retryId} '${retried.status}' after ${secs(retried.ms)}, establishedAt ${retried.establishedAt ?? 'absent'}; new paid submits ${newSubmits}; items ${retried.items.length}, reused ${retried.items.filter((i) => i.json.reused === true).length}, videos equal to the simulator's ${retried.stored}`);
		});
		it(`the first run paid for ${ITEMS} videos and failed at Max Wait, its start saved with its data`, () => {
			expect(paid).toBe(ITEMS);
			expect(status).toBe('error');
			expect(savedStart).toMatch(/^\d+$/);
		});
		it("the Retry keeps the first run's start and sends no new paid submit", () => {
			expect(retried.establishedAt).toBe(savedStart);
			expect(newSubmits).toBe(0);
		});
		it(`the Retry succeeds and delivers all ${ITEMS} videos, equal to the simulator's, each item marked reused`, () => {
			expect(retried.status).toBe('success');
			expect(retried.items.filter((i) => i.json.status === 'completed' && i.binary?.video)).toHaveLength(ITEMS);
			expect(retried.items.filter((i) => i.json.reused === true)).toHaveLength(ITEMS);
			expect(retried.stored).toBe(ITEMS);
		});
	});

	describe('PostgreSQL restarted while 20 items wait in Sora Generate', () => {
		let executionId = '';
		let status = '';
		let paid = -1;
		let duplicates = -1;
		let stored = -1;
		let items: Awaited<ReturnType<typeof generateItems>> = [];
		let leftRunning = '';
		beforeAll(async () => {
			const before = await accepted();
			const known = new Set(await executionsOf(WF.defaults));
			const t0 = Date.now();
			await fetch(`${n8n.baseUrl}/webhook/sora-paid-default?run=pg&ms=12000`).then((r) => r.arrayBuffer());
			await waitFor(`${ITEMS} submits`, async () => (await accepted()) >= before + ITEMS, 60_000, 200);
			executionId = await waitFor('the execution', async () => (await executionsOf(WF.defaults)).find((id) => !known.has(id)), 30_000, 200);
			await sleep(1000);
			const r0 = Date.now();
			await n8n.restartPostgres();
			const restartMs = Date.now() - r0;
			status = await waitFor('the execution to end', async () => {
				const s = await statusOf(executionId).catch(() => '');
				return ended(s) ? s : undefined;
			}, 180_000, 500);
			const state = await sim.state();
			paid = (await accepted()) - before;
			const bodies = state.submissionBodies.slice(-paid);
			duplicates = bodies.length - new Set(bodies).size;
			items = await generateItems(executionId);
			stored = await storedVideos(executionId);
			await sleep(2000);
			leftRunning = await n8n.sql(`SELECT count(*) FROM execution_entity WHERE status IN ('new', 'running')`);
			log(`postgres: restarted (pg_ctl restart -m fast, ${restartMs} ms) ${secs(r0 - t0)} after the call; execution ${executionId} '${status}' after ${secs(Date.now() - t0)}; paid submits ${paid}, duplicates ${duplicates}; videos equal to the simulator's ${stored}; executions left new/running ${leftRunning}`);
		});
		it('exactly one paid submit per item, no duplicate', () => {
			expect(paid).toBe(ITEMS);
			expect(duplicates).toBe(0);
		});
		it('the execution succeeds and delivers every video', () => {
			expect(status).toBe('success');
			expect(items.filter((i) => i.json.status === 'completed' && i.binary?.video)).toHaveLength(ITEMS);
			expect(stored).toBe(ITEMS);
		});
		it('no execution is left running', () => expect(leftRunning).toBe('0'));
	});

	describe('Sora Trigger: a 200 MiB video, n8n main SIGKILLed during its download', () => {
		const BYTES = 200 * 1024 * 1024;
		/** The CDN's pace: a download of about 6 s, so the kill lands in the middle of it */
		const BPS = 35 * 1024 * 1024;
		const figures: Record<string, unknown> = {};
		let deliveries: Array<{ eventId: string; type: string; attempt: number; status?: number; error?: string; responseBody?: string; at: number; answeredMs?: number }> = [];
		let executions: string[] = [];
		let storedSha = '';
		let storedSize = 0;
		let execStatus = '';
		beforeAll(async () => {
			const known = new Set(await executionsOf(WF.trigger));
			// toapis' redelivery schedule (shortened): a non-2xx or unanswered delivery is sent again after these waits
			await sim.control('/__sim/webhooks', { defaultUrl: `${n8n.baseUrl}/webhook/${TRIGGER_PATH}`, secret: SECRET, retryDelaysMs: [3000, 5000, 10_000, 15_000, 15_000, 15_000, 15_000, 15_000] });
			const submit = await fetch(`${sim.url}/v1/videos/generations`, {
				method: 'POST',
				headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'sora-2', prompt: `A 200 MiB delivery [sim:ms=500] [sim:bytes=${BYTES}] [sim:bps=${BPS}]`, duration: 10 }),
			});
			expect(submit.status).toBe(200);
			// the first delivery's answer, watched every 50 ms (an upper bound on the time n8n took to answer)
			const first = await waitFor('the first delivery answered', async () => {
				const d = (await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: typeof deliveries };
				const hit = d.deliveries.find((x) => x.type === 'generation.completed' && (x.status !== undefined || x.error));
				return hit ? { ...hit, answeredMs: Date.now() - hit.at } : undefined;
			}, 60_000, 50);
			figures.firstAnswer = `${first.status ?? first.error} ${first.responseBody ?? ''} within ${first.answeredMs} ms`;
			await sleep(500); // the download goes on in main after the answer: kill main during it
			const streamsBefore = (await sim.state()).videoStreams.length;
			await n8n.main!.kill();
			const killedAt = Date.now();
			await sleep(500);
			const cut = (await sim.state()).videoStreams.slice(streamsBefore);
			figures.cutDownload = cut.map((s) => `${(s.bytes / 1048576).toFixed(0)} MiB of ${BYTES / 1048576}, complete ${s.complete}`).join('; ') || 'none recorded';
			await n8n.startMain();
			figures.mainBackAfter = secs(Date.now() - killedAt);
			executions = await waitFor('an execution for the event', async () => {
				const ids = (await executionsOf(WF.trigger)).filter((id) => !known.has(id));
				return ids.length ? ids : undefined;
			}, 150_000, 500);
			execStatus = await waitFor('the execution to end', async () => {
				const s = await statusOf(executions[0]);
				return ended(s) ? s : undefined;
			}, 120_000, 500);
			await waitFor('no delivery pending', async () => ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { pending: number }).pending === 0, 120_000, 500).catch(() => undefined);
			await sleep(2000);
			executions = (await executionsOf(WF.trigger)).filter((id) => !known.has(id));
			deliveries = ((await (await fetch(`${sim.url}/__sim/webhooks`)).json()) as { deliveries: typeof deliveries }).deliveries.filter((d) => d.type === 'generation.completed');
			// n8n stores the trigger's file before the execution exists: found by size, with the id it was stored under
			const rows = (await n8n.sql(`SELECT encode(sha256(data), 'hex') || ' ' || length(data) || ' ' || "sourceType" || ':' || "sourceId" FROM binary_data WHERE length(data) = ${BYTES}`)).split('\n').filter(Boolean);
			figures.stored = rows.map((r) => r.split(' ').slice(1).join(' '));
			[storedSha, storedSize] = [rows[0]?.split(' ')[0] ?? '', Number(rows[0]?.split(' ')[1] ?? 0)];
			figures.deliveries = deliveries.map((d) => `#${d.attempt} +${secs(d.at - deliveries[0].at)} ${d.status ?? d.error}${d.responseBody ? ` ${d.responseBody.slice(0, 60)}` : ''}`).join(' | ');
			figures.executions = `${executions.length} (${execStatus})`;
			log(`trigger: ${JSON.stringify(figures, null, 1)}`);
		});
		it('the first delivery is answered in under 2 s although the video takes longer to download', () => {
			expect(Number(/within (\d+) ms/.exec(String(figures.firstAnswer))?.[1])).toBeLessThan(2000);
		});
		it("after main's restart toapis' redelivery is processed: exactly one execution for the event, successful", () => {
			expect(executions).toHaveLength(1);
			expect(execStatus).toBe('success');
			expect(deliveries.filter((d) => d.status === 200 && !String(d.responseBody).includes('duplicate')).length).toBe(1);
		});
		it("the execution holds the whole 200 MiB video, equal to the simulator's", () => {
			const expected = createHash('sha256').update(SAMPLE_MP4_BYTES).update(Buffer.alloc(BYTES - SAMPLE_MP4_BYTES.length, 0x2e)).digest('hex');
			expect(storedSize).toBe(BYTES);
			expect(storedSha).toBe(expected);
		});
	});
});

const SAMPLE_MP4_BYTES = readFileSync(SAMPLE_MP4);
