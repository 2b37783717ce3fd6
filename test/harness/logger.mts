/** n8n's logger interface, writing each line to the log of the run that emitted it (see logSink). */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Log lines of the run that emitted them (runs may overlap in one process). */
export const logSink = new AsyncLocalStorage<string[]>();

type Meta = Record<string, unknown>;
const write = (level: string) => (message: string, _meta?: Meta) => {
	logSink.getStore()?.push(`${level}: ${message}`);
};

export const captureLogger = {
	error: write('error'),
	warn: write('warn'),
	info: write('info'),
	debug: write('debug'),
	scoped() {
		return captureLogger;
	},
};
