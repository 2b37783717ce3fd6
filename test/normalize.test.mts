import { describe, expect, it } from 'vitest';
import { adapterFor } from '../nodes/shared/provider/flavors';
import {
	normalizeProgress,
	normalizeStatus,
	normalizeTimestamp,
} from '../nodes/shared/domain/task';

describe('normalizing loosely typed provider answers', () => {
	it.each([
		['queued', 'queued'],
		['pending', 'queued'],
		['submitted', 'queued'],
		['NOT_START', 'queued'],
		['in_progress', 'in_progress'],
		['processing', 'in_progress'],
		['IN_PROGRESS', 'in_progress'],
		['running', 'in_progress'],
		['completed', 'completed'],
		['succeeded', 'completed'],
		['SUCCESS', 'completed'],
		['failed', 'failed'],
		['FAILURE', 'failed'],
		['error', 'failed'],
		['cancelled', 'failed'],
		['something-new', 'in_progress'],
		[undefined, 'in_progress'],
	])('status %s → %s', (input, expected) => {
		expect(normalizeStatus(input)).toBe(expected);
	});

	it.each([
		[65, 'in_progress', 65],
		['65', 'in_progress', 65],
		['65%', 'in_progress', 65],
		[0.65, 'in_progress', 65],
		[150, 'in_progress', 100],
		[undefined, 'completed', 100],
		[undefined, 'queued', 0],
		['n/a', 'queued', 0],
	] as const)('progress %s (%s) → %s', (input, status, expected) => {
		expect(normalizeProgress(input, status)).toBe(expected);
	});

	it('reads timestamps in seconds, milliseconds and ISO form', () => {
		expect(normalizeTimestamp(1768380222)).toBe('2026-01-14T08:43:42.000Z');
		expect(normalizeTimestamp(1764347090922)).toBe('2025-11-28T16:24:50.922Z');
		expect(normalizeTimestamp('1768380222')).toBe('2026-01-14T08:43:42.000Z');
		expect(normalizeTimestamp('2026-01-14T08:43:42Z')).toBe('2026-01-14T08:43:42.000Z');
		expect(normalizeTimestamp(null)).toBeNull();
	});

	it('finds the toapis video URL wherever the provider put it', () => {
		const toapis = adapterFor('toapis');
		const url = 'https://files.example/v.mp4';
		for (const raw of [
			{ id: 'a', status: 'completed', result: { type: 'video', data: [{ url, format: 'mp4' }] } },
			{ id: 'a', status: 'completed', result: { url } },
			{ id: 'a', status: 'completed', url },
			{ id: 'a', status: 'completed', video_url: url },
			{ id: 'a', status: 'completed', metadata: { url } },
		]) {
			expect(toapis.normalizeTask(raw, 'video').videoUrl).toBe(url);
		}
	});

	it('gives OpenAI-style tasks, which have no video URL, the authenticated content path instead', () => {
		for (const flavor of ['openaiCompatible', 'azure'] as const) {
			const adapter = adapterFor(flavor);
			const done = adapter.normalizeTask(
				{ id: 'video_1', object: 'video', status: 'completed', progress: 100 },
				'video',
			);
			expect(done).toMatchObject({ videoUrl: null, contentPath: '/videos/video_1/content' });
			expect(
				adapter.normalizeTask({ id: 'video_1', status: 'in_progress' }, 'video').contentPath,
			).toBeNull();
		}
		const toapis = adapterFor('toapis').normalizeTask(
			{ id: 'a', status: 'completed', url: 'https://files.example/v.mp4' },
			'video',
		);
		expect(toapis.contentPath).toBeNull();
	});

	it('turns the documented toapis answers into one task shape', () => {
		const task = adapterFor('toapis').normalizeTask(
			{
				id: 'video_7497',
				object: 'generation.task',
				model: 'sora-2',
				status: 'failed',
				progress: 0,
				created_at: 1768380222,
				error: {
					code: 'generation_failed',
					message: 'Generation failed: Content violates the content policy',
				},
			},
			'video',
		);
		expect(task).toMatchObject({
			id: 'video_7497',
			kind: 'video',
			status: 'failed',
			progress: 0,
			model: 'sora-2',
			videoUrl: null,
			createdAt: '2026-01-14T08:43:42.000Z',
			error: {
				code: 'generation_failed',
				message: 'Generation failed: Content violates the content policy',
			},
		});
		expect(task.raw.object).toBe('generation.task');
	});

	it('accepts the {code, data:[{task_id}]} envelope some toapis models use', () => {
		const task = adapterFor('toapis').normalizeTask(
			{ code: 200, data: [{ status: 'submitted', task_id: 'task_1' }] },
			'video',
		);
		expect(task.id).toBe('task_1');
	});

	it("turns the OpenAI video object (and tokenhot's ms timestamps) into the same shape", () => {
		const task = adapterFor('openaiCompatible').normalizeTask(
			{
				id: 'sora-2-123456',
				object: 'video',
				model: 'sora-2',
				status: 'queued',
				progress: 0,
				created_at: 1764347090922,
				seconds: '8',
			},
			'video',
		);
		expect(task).toMatchObject({
			id: 'sora-2-123456',
			status: 'queued',
			createdAt: '2025-11-28T16:24:50.922Z',
			seconds: '8',
			error: null,
		});
		const failed = adapterFor('azure').normalizeTask(
			{ id: 'v', status: 'failed', error: { code: 'moderation_blocked', message: 'blocked' } },
			'video',
		);
		expect(failed.error).toEqual({ code: 'moderation_blocked', message: 'blocked' });
	});
});
