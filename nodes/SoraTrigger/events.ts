import {
	sleep,
	type IBinaryKeyData,
	type IDataObject,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { CREDENTIAL_NAME } from '../shared/domain/api';
import type { SoraTask } from '../shared/domain/task';
import { downloadTaskFiles, type MediaClient } from '../shared/media/binary';
import { apiRootOf } from '../shared/provider/connection';
import { adapterFor } from '../shared/provider/flavors';
import {
	answer,
	EVENT_TYPES,
	signingSecret,
	verifiedEvent,
} from '../shared/provider/webhookEvents';

export {
	MAX_CLOCK_SKEW_SECONDS,
	signaturesOf,
	verifySignature,
} from '../shared/provider/webhookEvents';

/** Events arrive at least once, so replays are answered 200 and start nothing. toapis retries a delivery for up to 24 h: remember event ids a little longer than that. */
export const SEEN_EVENTS_TTL_SECONDS = 25 * 3600;
/** Bound on remembered ids per trigger node, so the workflow's static data stays small. */
export const SEEN_EVENTS_MAX = 2000;

export type EventFilter = 'all' | 'completed' | 'failed';

// n8n loads the workflow's static data when a request arrives and saves it whole after the node ran, so deliveries
// handled at the same time overwrite each other's additions. Each process therefore keeps what it has seen (per
// workflow and node) and writes all of it back with every new event: the last save of a burst holds the burst.
const recentByNode = new Map<string, Record<string, number>>();

function prune(seen: Record<string, number>, now: number): Record<string, number> {
	const fresh = Object.entries(seen).filter(([, at]) => now - at < SEEN_EVENTS_TTL_SECONDS);
	fresh.sort((a, b) => a[1] - b[1]);
	return Object.fromEntries(fresh.slice(-SEEN_EVENTS_MAX));
}

/**
 * Records the event id and says whether it was already there. The store is the workflow's static data for this
 * node (saved by n8n with the workflow, so it survives executions and restarts), pruned by age and count.
 */
export function rememberEvent(
	ctx: IWebhookFunctions,
	eventId: string,
	now = Math.floor(Date.now() / 1000),
): boolean {
	const scope = scopeOf(ctx);
	const staticData = ctx.getWorkflowStaticData('node') as { seenEvents?: Record<string, number> };
	const seen = prune({ ...staticData.seenEvents, ...recentByNode.get(scope) }, now);
	if (seen[eventId] !== undefined) return true;
	const updated = prune({ ...seen, [eventId]: now }, now);
	recentByNode.set(scope, updated);
	staticData.seenEvents = updated;
	return false;
}

/** Whether an execution was already started for this event (without recording it). */
function seenBefore(ctx: IWebhookFunctions, eventId: string): boolean {
	const staticData = ctx.getWorkflowStaticData('node') as { seenEvents?: Record<string, number> };
	return (
		(staticData.seenEvents?.[eventId] ?? recentByNode.get(scopeOf(ctx))?.[eventId]) !== undefined
	);
}

function scopeOf(ctx: IWebhookFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}

/** The whole life of one delivery: verify, deduplicate, filter, then emit (with the video, if asked). */
export async function receiveEvent(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	const secret = signingSecret(ctx, credentials, 'Sora Trigger');
	if (typeof secret !== 'string') return secret;
	const event = verifiedEvent(ctx, secret);
	if (!('type' in event)) return event;
	if (event.type === 'endpoint.test') return answer(ctx, 200, { received: true, test: true });
	if (seenBefore(ctx, event.id)) return answer(ctx, 200, { received: true, duplicate: true });
	// Event types this node does not know yet are acknowledged, or toapis would retry them for a day.
	const outcome = EVENT_TYPES[event.type as keyof typeof EVENT_TYPES];
	const wanted = ctx.getNodeParameter('events', 'all') as EventFilter;
	if (!outcome || (wanted !== 'all' && wanted !== outcome))
		return answer(ctx, 200, { received: true, ignored: event.type });

	const task = adapterFor('toapis').normalizeTask(event.data as IDataObject, 'video');
	const item: INodeExecutionData = {
		json: {
			...task,
			event: { id: event.id, type: event.type, createdAt: event.created_at ?? null },
		},
	};
	if (ctx.getNodeParameter('downloadVideo', false) && task.status === 'completed') {
		const files = await filesWithinWindow(ctx, event.id, credentials.baseUrl, task);
		// Not there yet: toapis delivers again (≈10 s, 30 s, 2 min…), and by then the download has gone on.
		if (!files)
			return answer(ctx, 503, { received: true, retry: 'the video is still downloading' });
		if (files === 'taken') return answer(ctx, 200, { received: true, duplicate: true });
		item.binary = files.binary;
		Object.assign(item.json, files.notes);
	}
	// Seen from now on: n8n saves this with the workflow and starts the execution before it answers toapis.
	if (rememberEvent(ctx, event.id)) return answer(ctx, 200, { received: true, duplicate: true });
	return { workflowData: [[item]] };
}

/** What a finished download put into the item: its binary fields, and why a part of it is missing. */
interface EventFiles {
	binary?: IBinaryKeyData;
	notes: IDataObject;
}

/**
 * Downloads still going on, or done and not yet handed to an execution, by workflow, node and event. toapis waits
 * 10 s for an answer; a big video takes longer, so the download goes on after the delivery was answered "not yet",
 * and the next delivery of the same event takes the files. Nothing is marked seen before that: if n8n stops
 * meanwhile, toapis' next delivery starts over.
 */
const downloads = new Map<
	string,
	{ files?: EventFiles; running: Promise<void>; startedAt: number; taken?: boolean }
>();
/** How long a delivery waits for its download before answering "not yet" (toapis gives up after 10 s) */
export const ANSWER_WITHIN_MS = 1500;
/** A download nobody came back for is forgotten after this long */
const DOWNLOAD_KEPT_MS = 6 * 3600 * 1000;

/** The event's files once downloaded, undefined while the download goes on, 'taken' when another delivery has them. */
async function filesWithinWindow(
	ctx: IWebhookFunctions,
	eventId: string,
	baseUrl: unknown,
	task: SoraTask,
): Promise<EventFiles | 'taken' | undefined> {
	const key = `${scopeOf(ctx)}:${eventId}`;
	const now = Date.now();
	for (const [k, entry] of downloads)
		if (now - entry.startedAt > DOWNLOAD_KEPT_MS) downloads.delete(k);
	let entry = downloads.get(key);
	if (!entry) {
		const started: { files?: EventFiles; running: Promise<void>; startedAt: number } = {
			running: Promise.resolve(),
			startedAt: now,
		};
		started.running = downloadFiles(ctx, baseUrl, task).then((files) => {
			started.files = files;
		});
		downloads.set(key, started);
		entry = started;
	}
	const finished = await Promise.race([
		entry.running.then(() => true),
		sleep(ANSWER_WITHIN_MS).then(() => false),
	]);
	if (!finished) return undefined;
	if (entry.taken) return 'taken';
	entry.taken = true;
	downloads.delete(key);
	return entry.files;
}

/**
 * Streams the video (and thumbnail) from the public URL, without the API key. A failed download still starts the
 * execution, with the task and the reason: the event was accepted, so the task id must reach the workflow.
 */
async function downloadFiles(
	ctx: IWebhookFunctions,
	baseUrl: unknown,
	task: SoraTask,
): Promise<EventFiles> {
	const field = String(ctx.getNodeParameter('binaryPropertyName', 'data'));
	// toapis videos are public CDN files, fetched without any credential: nothing secret is in scope.
	const client: MediaClient = {
		ctx,
		connection: { flavor: 'toapis', apiRoot: apiRootOf('toapis', String(baseUrl ?? '')) },
		adapter: adapterFor('toapis'),
		secrets: [],
	};
	try {
		const files = await downloadTaskFiles(
			client,
			task,
			field,
			0,
			ctx.getNodeParameter('options.downloadThumbnail', false) as boolean,
		);
		const notes: IDataObject = {};
		if (files.thumbnailError) notes.thumbnailError = files.thumbnailError;
		if (files.lastFrameError) notes.lastFrameError = files.lastFrameError;
		return { binary: files.binary, notes };
	} catch (error) {
		return { notes: { downloadError: (error as Error).message } };
	}
}
