import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
	// The nodes are CommonJS in n8n; test them against n8n-workflow's CommonJS build as n8n loads it.
	resolve: { alias: { 'n8n-workflow': require.resolve('n8n-workflow') } },
	test: {
		include: ['test/**/*.test.mts'],
		setupFiles: ['test/harness/setup.mts'],
		testTimeout: 30_000,
		pool: 'forks',
		// The suites mostly wait on the simulator's clocks, not the CPU: run them side by side even on 2 cores.
		maxWorkers: 4,
		minWorkers: 1,
	},
});
