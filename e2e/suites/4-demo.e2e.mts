/** `npm run demo`, the README's first command (scripts/demo.mts), into a temporary folder: an MP4 and its task JSON. */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_SHA, sha256 } from '../harness/checks.mts';
import { runDemo } from '../../scripts/demo.mts';

describe('npm run demo', () => {
	it('leaves an MP4 and its task JSON in DEMO_OUTPUT (simulator, no API key)', async () => {
		const output = mkdtempSync(join(tmpdir(), 'sora-demo-out-'));
		const env = { ...process.env };
		delete env.SORA_API_KEY;
		const result = await runDemo({ output, env });
		expect(readdirSync(output).sort()).toEqual([`${result.taskId}.json`, `${result.taskId}.mp4`]);
		expect(existsSync(result.video)).toBe(true);
		expect(sha256(readFileSync(result.video))).toBe(SAMPLE_SHA);
		const task = JSON.parse(readFileSync(result.json, 'utf8')) as { id: string; status: string };
		expect(task).toMatchObject({ id: result.taskId, status: 'completed' });
		console.log(`  demo left ${basename(result.video)} and its task JSON in ${result.seconds.toFixed(0)} s`);
	});
});
