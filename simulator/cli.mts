/**
 * Runs the Sora simulator as its own process, for the end-to-end tests and the demo:
 *   tsx simulator/cli.mts [--port N] [--cdn-port N] [--ready-file PATH] [--duration-ms N] [--rate-limit 5,50,50,500]
 *     [--reset-form seconds|unix|none] [--openai-host openai|new-api]
 * Prints one JSON line {"url","cdnUrl","apiKey"} (also written to --ready-file) and runs until killed.
 */
import { writeFileSync } from 'node:fs';
import { startSimulator } from './server.mts';

const args = process.argv.slice(2);
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
};

/** "5,50,50,500" = submits per second, submit burst, queries per second, query burst (toapis' default group) */
function rateLimitOf(spec: string) {
	const [submitPerSecond, submitBurst, queryPerSecond, queryBurst] = spec.split(',').map(Number);
	const resetForm = (arg('reset-form') ?? 'seconds') as 'seconds' | 'unix' | 'none';
	return { submitPerSecond, submitBurst, queryPerSecond, queryBurst, resetForm };
}

const sim = await startSimulator({
	port: Number(arg('port') ?? 0),
	cdnPort: Number(arg('cdn-port') ?? 0),
	apiKey: arg('api-key'),
	defaultScenario: arg('duration-ms') ? { durationMs: Number(arg('duration-ms')) } : undefined,
	rateLimit: arg('rate-limit') ? rateLimitOf(arg('rate-limit')!) : undefined,
	openAiHost: arg('openai-host') === 'new-api' ? 'new-api' : 'openai',
});
const info = JSON.stringify({ url: sim.url, cdnUrl: sim.cdnUrl, apiKey: sim.apiKey });
const readyFile = arg('ready-file');
if (readyFile) writeFileSync(readyFile, info + '\n');
process.stdout.write(info + '\n');

const stop = async () => {
	await sim.close();
	process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
