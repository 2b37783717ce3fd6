import type { JsonObject } from 'n8n-workflow';
import { firstString, isObject } from '../util/json';

/** What the provider told us about a failed call, in one shape for every flavor. */
export interface ProviderFailure {
	status: number;
	code: string;
	message: string;
}

/**
 * Provider error bodies come as {"error":{"code","message","type"}}, {"success":false,"message"} (toapis
 * uploads), {"detail":...} (Azure gateways) or not as JSON at all (HTML from a proxy).
 */
export function readProviderFailure(status: number, body: unknown, text: string): ProviderFailure {
	const error = isObject(body) ? body.error : undefined;
	let code = '';
	let message = '';
	if (isObject(error)) {
		code = String(error.code ?? error.type ?? '');
		message = firstString(error, ['message', 'msg']) ?? '';
		if (!code && typeof error.type === 'string') code = error.type;
	} else if (typeof error === 'string') {
		message = error;
	}
	if (!message && isObject(body))
		message = firstString(body, ['message', 'msg', 'detail', 'error_description']) ?? '';
	if (!message) {
		const trimmed = text.trim();
		if (/^<(!doctype|html)/i.test(trimmed))
			message = 'The server answered with an HTML page instead of JSON';
		else message = trimmed.slice(0, 300);
	}
	return { status, code, message };
}

/**
 * Answers that say the provider did not take the request, so that repeating it cannot pay twice
 * (docs/providers.md#8-rate-limits): every 429, and the 503s whose code names a limiter that answered before the
 * request went any further — new-api's per-token gate (`token_concurrency_unavailable`, beside its 429
 * `token_concurrency_limit_reached`) and toapis' submit limiter (`rate_limit_unavailable`). Other 5xx on a submit
 * may hide an accepted task.
 */
const NOT_ACCEPTED_CODES = [
	'token_concurrency_limit_reached',
	'token_concurrency_unavailable',
	'rate_limit_unavailable',
];

export function notAccepted(failure: ProviderFailure): boolean {
	if (failure.status === 429) return true;
	if (failure.status !== 503) return false;
	const said = `${failure.code} ${failure.message}`.toLowerCase();
	return NOT_ACCEPTED_CODES.some((code) => said.includes(code));
}

/** What a user should do about an HTTP failure, by status and provider code. */
export function adviceFor(failure: ProviderFailure): { title: string; advice: string } {
	const { status, code } = failure;
	const lowered = code.toLowerCase();
	if (
		status === 401 ||
		status === 403 ||
		lowered.includes('auth') ||
		lowered === 'invalid_api_key'
	) {
		return {
			title: `The Sora API rejected the API key (${status})`,
			advice:
				'Open the Sora API credential and paste the key again; check that the API flavor and base URL match your provider.',
		};
	}
	if (lowered === 'webhook_not_configured') {
		return {
			title: `toapis refused the callback URL: this token has no webhook set up (${status})`,
			advice:
				"In the toapis console, set and enable a webhook URL for the token (on this n8n's public address) and copy its signing secret; enter both in the Sora API credential. Nothing was paid.",
		};
	}
	if (status === 402 || lowered.includes('quota') || lowered.includes('balance')) {
		return {
			title: `Your Sora provider account has no balance left (${status})`,
			advice: 'Top up your account with the provider, then run the workflow again.',
		};
	}
	if (status === 404) {
		return {
			title: 'Task not found (404)',
			advice:
				'Check the task id, that it belongs to this account and API flavor, and the task type (video or character). Providers forget tasks after about 24 hours.',
		};
	}
	if (
		status === 422 ||
		lowered.includes('content_policy') ||
		lowered.includes('moderation') ||
		lowered === 'sentinel_block'
	) {
		return {
			title: `The provider's content policy refused the request (${status})`,
			advice:
				'Change the prompt or image (no real people, copyrighted characters or unsafe content) and try again.',
		};
	}
	if (status === 503 && notAccepted(failure)) {
		return {
			title: `The provider's limiter did not take the request (${status})`,
			advice:
				'Nothing was created. Lower the number of items processed at once, or run the workflow again later.',
		};
	}
	if (status === 429) {
		return {
			title: 'The provider is rate limiting this account (429)',
			advice: 'Lower the number of items processed at once, or run the workflow again later.',
		};
	}
	if (status >= 500) {
		return {
			title: `The Sora provider had a server error (${status})`,
			advice: "This is on the provider's side; try again in a few minutes.",
		};
	}
	return {
		title: `The Sora provider refused the request (${status})`,
		advice: "Check the node's fields against the provider's documentation.",
	};
}

/** Removes every secret (and anything that looks like an API key) from text shown to users or logs. */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out.replace(/\b(sk|pk|key)-[A-Za-z0-9_*-]{8,}/g, '$1-***');
}

export function redactJson(value: unknown, secrets: readonly string[]): JsonObject {
	return JSON.parse(redact(JSON.stringify(value ?? {}), secrets)) as JsonObject;
}
