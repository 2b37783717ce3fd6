import type { IDataObject } from 'n8n-workflow';
import { firstString, isObject } from '../util/json';

/** What kind of task an id belongs to; toapis keeps character tasks on their own endpoint. */
export type TaskKind = 'video' | 'character';

export type TaskStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

/** One task in the shape every node outputs, whatever the provider answered. */
export interface SoraTask extends IDataObject {
	id: string;
	kind: TaskKind;
	status: TaskStatus;
	/** 0–100 */
	progress: number;
	model: string | null;
	videoUrl: string | null;
	/** Every variant's URL when a task made several videos (toapis metadata.n); the first is videoUrl */
	videoUrls: string[];
	/**
	 * OpenAI-compatible and Azure give no video URL: the file is at this path under the credential's API root
	 * (authenticated, e.g. "/videos/video_123/content"), once the task is completed. Null on toapis, which gives URLs.
	 */
	contentPath: string | null;
	thumbnailUrl: string | null;
	/** ISO 8601; the video URL stops working then */
	expiresAt: string | null;
	createdAt: string | null;
	completedAt: string | null;
	error: { code: string; message: string } | null;
	/** Your own id sent with the request (toapis client_business_id), echoed by status reads and webhooks */
	clientBusinessId: string | null;
	/** The last frame as an image URL, where the request asked for it (toapis return_last_frame); null otherwise */
	lastFrameUrl: string | null;
	/** The provider's response, untouched */
	raw: IDataObject;
}

// Resellers spell statuses many ways (docs/providers.md#3-status-words); unknown words count as still running.
const STATUS_SYNONYMS: Record<string, TaskStatus> = {
	queued: 'queued',
	pending: 'queued',
	submitted: 'queued',
	not_start: 'queued',
	waiting: 'queued',
	in_progress: 'in_progress',
	processing: 'in_progress',
	running: 'in_progress',
	generating: 'in_progress',
	completed: 'completed',
	complete: 'completed',
	succeeded: 'completed',
	success: 'completed',
	done: 'completed',
	failed: 'failed',
	failure: 'failed',
	error: 'failed',
	cancelled: 'failed',
	canceled: 'failed',
	expired: 'failed',
};

export function normalizeStatus(value: unknown): TaskStatus {
	if (typeof value !== 'string') return 'in_progress';
	return STATUS_SYNONYMS[value.trim().toLowerCase()] ?? 'in_progress';
}

/** 65, "65", "65%" and 0.65-style fractions all become 65. */
export function normalizeProgress(value: unknown, status: TaskStatus): number {
	let n: number | undefined;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string') {
		const parsed = parseFloat(value.replace('%', ''));
		if (!Number.isNaN(parsed)) n = parsed;
	}
	if (n === undefined || !Number.isFinite(n)) return status === 'completed' ? 100 : 0;
	if (n > 0 && n < 1 && !(typeof value === 'string' && value.includes('%'))) n *= 100;
	return Math.max(0, Math.min(100, Math.round(n)));
}

/** Unix seconds, unix milliseconds (tokenhot) or an ISO string → ISO string. */
export function normalizeTimestamp(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
		const ms = value > 1e12 ? value : value * 1000;
		return new Date(ms).toISOString();
	}
	if (typeof value === 'string' && value.trim()) {
		if (/^\d+$/.test(value.trim())) return normalizeTimestamp(Number(value));
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
	}
	return null;
}

export function isFinished(task: Pick<SoraTask, 'status'>): boolean {
	return task.status === 'completed' || task.status === 'failed';
}

/** Error object of a failed task, from any of the places resellers put it. */
export function normalizeTaskError(raw: IDataObject, status: TaskStatus): SoraTask['error'] {
	const error = raw.error;
	if (isObject(error)) {
		const message =
			firstString(error, ['message', 'msg', 'detail']) ?? 'The provider reported an error';
		const code = error.code ?? error.type ?? 'error';
		return { code: String(code), message };
	}
	if (typeof error === 'string' && error.trim()) return { code: 'error', message: error.trim() };
	const reason = firstString(raw, ['fail_reason', 'failure_reason', 'failReason', 'message']);
	if (status === 'failed')
		return { code: 'failed', message: reason ?? 'The task failed without a reason' };
	return null;
}
