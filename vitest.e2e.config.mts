/**
 * The real-n8n suites (e2e/suites/*.e2e.mts): one file at a time, one n8n at a time, in file-name order (regular,
 * agent, webhooks, demo, queue). The timeouts only guard against hangs; the suites' own waits decide what is slow.
 *   npx vitest run -c vitest.e2e.config.mts [e2e/suites/3-webhooks]
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

class ByName extends BaseSequencer {
	override async sort(files: TestSpecification[]) {
		return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
	}
}

export default defineConfig({
	test: {
		include: ['e2e/suites/*.e2e.mts'],
		globalSetup: ['e2e/harness/global-setup.mts'],
		fileParallelism: false,
		maxWorkers: 1,
		minWorkers: 1,
		pool: 'forks',
		sequence: { sequencer: ByName },
		testTimeout: 15 * 60_000,
		hookTimeout: 10 * 60_000,
		teardownTimeout: 120_000,
		// a test that fails is not retried: each one talks to a real n8n whose state moved on
		retry: 0,
	},
});
