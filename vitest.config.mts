import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
	// The nodes are CommonJS in n8n; test them against n8n-workflow's CommonJS build as n8n loads it.
	resolve: { alias: { 'n8n-workflow': require.resolve('n8n-workflow') } },
	test: {
		include: ['test/**/*.test.mts'],
		setupFiles: ['test/harness/setup.mts'],
		// Hang guards only: no verdict rests on them. Tests wait for events (the simulator saw a request, a task reached
		// a state), so a busy machine makes them slower, never wrong; only a test that hangs should ever reach these.
		// (Loading n8n-core for the first time in a hook, or base64 of a 50 MB clip, can take a minute at load 14.)
		testTimeout: 300_000,
		hookTimeout: 300_000,
		pool: 'forks',
		// The suites mostly wait on the simulator's clocks, not the CPU: run them side by side even on 2 cores.
		maxWorkers: 4,
		minWorkers: 1,
	},
});
