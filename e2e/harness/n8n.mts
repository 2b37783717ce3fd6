/**
 * A real n8n 2.41.1 with this package installed, started from a typed config, for the end-to-end suites, the demo
 * and the benchmarks:
 *
 *   const n8n = await startN8n({ mode: 'queue', workers: 2, credentials, workflows, publish: 'all' });
 *   await fetch(`${n8n.baseUrl}/webhook/...`); await n8n.executions.list(); await n8n.sql('SELECT ...');
 *   await n8n.stop();
 *   // or: await withN8n(config, async (n8n) => { ... })   (stopped also when `run` throws)
 *
 * What it does, in order: a throwaway folder; the package packed once (npm pack: dist + package.json, no
 * node_modules, as n8n installs community packages) and unpacked into each n8n process's user folder; in queue mode
 * PostgreSQL and Redis (Debian packages, installed by e2e/setup-queue-services.sh) on free ports of 127.0.0.1;
 * `n8n import:credentials`, `import:workflow`, `publish:workflow`; `n8n start` (and `n8n worker`s) on free ports; waits
 * until it is ready and the given webhooks answer; an owner account and its session for the REST API.
 * Regular mode with `start: false` only imports: `execute(id)` then runs workflows with `n8n execute`.
 * Every process is stopped by its PID on stop(), and also when this process exits or is signalled (processes.mts).
 * Facts behind the settings: docs/queue-mode.md and e2e/setup-n8n.sh.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, distBuilt, runtimeOf, type N8nVersion, type Runtime } from './paths.mts';
import { freePort, onExit, run, startProcess, statusOf, waitFor, type Proc } from './processes.mts';

export interface CredentialSpec {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** An n8n workflow as `n8n import:workflow` reads it */
export interface WorkflowSpec {
	id: string;
	name: string;
	nodes: Array<Record<string, unknown> & { name: string; type: string; parameters: Record<string, unknown> }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface N8nConfig {
	/** Prefix of the throwaway folder under $TMPDIR */
	label?: string;
	/** Which pinned n8n (default 2.41.1; 1.123.81 for the versions smoke suite) */
	version?: N8nVersion;
	/** regular (SQLite) or queue (PostgreSQL + Redis, main + workers); default regular */
	mode?: 'regular' | 'queue';
	/** queue mode: number of `n8n worker` processes (default 2) and their --concurrency (default 5) */
	workers?: number;
	workerConcurrency?: number;
	/** default: filesystem in regular mode, database in queue mode (n8n's own defaults) */
	binaryDataMode?: 'filesystem' | 'database';
	/** N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, MiB */
	binaryDataMaxMiB?: number;
	credentials?: CredentialSpec[];
	workflows?: WorkflowSpec[];
	/** Workflow ids to publish (activate) before n8n starts; 'all' = every workflow given */
	publish?: string[] | 'all';
	/** More environment for every n8n process (main, workers, CLI commands) */
	env?: Record<string, string>;
	/** More environment for the workers only */
	workerEnv?: Record<string, string>;
	/** false: import only, for `execute()` runs (regular mode); default true */
	start?: boolean;
	/** Webhook paths (after /webhook/) to wait for after the start: n8n reports ready before it registers them */
	waitForWebhooks?: Array<string | { path: string; method?: string; status?: number }>;
	/** A folder n8n may write files to (N8N_RESTRICT_FILE_ACCESS_TO), created as `<dir>/files` */
	files?: boolean;
	/** Keep the throwaway folder after stop() (default: kept when KEEP_E2E_STATE=1; Postgres data is always removed) */
	keep?: boolean;
	/** How long the main process and the workers may take to come up (default 120 s) */
	startTimeoutMs?: number;
}

export interface ExecuteResult {
	code: number | null;
	stdout: string;
	stderr: string;
	seconds: number;
	/** The run data n8n logged (undefined when it logged none, e.g. after a refused start) */
	result?: ExecutionResult;
}

export interface NodeRun {
	data?: { main: Array<Array<{ json: Record<string, any>; binary?: Record<string, BinaryRef>; pairedItem?: unknown }> | null> };
	error?: { message: string; description?: string };
}

export interface BinaryRef {
	id?: string;
	data?: string;
	mimeType: string;
	fileName?: string;
	fileSize?: string;
}

export interface ExecutionResult {
	status?: string;
	finished?: boolean;
	data: { resultData: { runData: Record<string, NodeRun[]>; error?: { message: string; description?: string } } };
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode?: string;
}

export interface Worker {
	name: string;
	proc: Proc;
	log: string;
	healthPort: number;
}

export interface N8nStack {
	config: N8nConfig;
	mode: 'regular' | 'queue';
	/** The throwaway folder: logs, user folders, Postgres/Redis data */
	dir: string;
	/** Main's N8N_USER_FOLDER (its state is under `<userFolder>/.n8n`) */
	userFolder: string;
	/** Where n8n may write files (config.files), else undefined */
	filesDir?: string;
	port: number;
	baseUrl: string;
	main?: Proc;
	mainLog: string;
	workers: Worker[];
	/** The environment main's processes run with (also for `cli`) */
	env: NodeJS.ProcessEnv;
	postgres?: { port: number; pid: number };
	redis?: { port: number; proc: Proc };
	/** `n8n <args>` with main's environment (import, publish, ...), to its end */
	cli(args: string[], extraEnv?: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }>;
	/** `n8n import:credentials` / `import:workflow` / `publish:workflow` (while n8n is not running, for publish) */
	importCredentials(credentials: CredentialSpec[]): Promise<void>;
	importWorkflows(workflows: WorkflowSpec[]): Promise<void>;
	publish(workflowIds: string[]): Promise<void>;
	/** `n8n execute --id=<id>` (regular mode, n8n not started): exit code, output and the logged run data */
	execute(workflowId: string): Promise<ExecuteResult>;
	/** Starts main (and the workers) after stopMain(), or the first time when config.start was false; `extraEnv` for main only */
	startMain(extraEnv?: Record<string, string>): Promise<void>;
	stopMain(): Promise<void>;
	/** n8n's REST API with the owner's session */
	rest<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	executions: {
		/** The newest 100 */
		list(workflowId?: string): Promise<ExecutionSummary[]>;
		count(workflowId?: string): Promise<number>;
		get(id: string): Promise<ExecutionSummary & { data?: unknown }>;
	};
	/** queue mode: restarts n8n's PostgreSQL (pg_ctl restart -m fast, same port and data) */
	restartPostgres(): Promise<void>;
	/** queue mode: a query on n8n's PostgreSQL database, rows as tab-separated lines */
	sql(query: string): Promise<string>;
	/** queue mode: redis-cli against n8n's Redis */
	redisCli(args: string[]): Promise<string>;
	/** queue mode: one more worker with the package in a fresh user folder (as a new host would be) */
	addWorker(name: string): Promise<Worker>;
	/**
	 * queue mode: starts an exited worker again under its name, with its user folder (its `.n8n` state, event log
	 * included) and its log file (appended), as a host restarting its n8n worker would; the Worker entry is updated in place
	 */
	restartWorker(name: string): Promise<Worker>;
	/** The worker whose log says it last started this execution, among those still running */
	workerOf(executionId: string): Worker | undefined;
	stop(): Promise<void>;
}

export const OWNER = { email: 'e2e@example.com', firstName: 'E2e', lastName: 'Owner', password: 'E2e-password-123' };
const ENCRYPTION_KEY = 'sora-local-only-not-a-secret';
const PG_DB = 'n8n';

/** Runs e2e/setup-n8n.sh when a version's runtime is incomplete (idempotent). */
export async function ensureRuntime(runtime: Runtime = runtimeOf()): Promise<void> {
	if (runtime.installed()) return;
	const { code, stdout, stderr } = await run('bash', [join(ROOT, 'e2e', 'setup-n8n.sh')], { env: { ...process.env, N8N_VERSION: runtime.version } });
	if (code !== 0 || !runtime.installed()) throw new Error(`could not install n8n ${runtime.version} (e2e/setup-n8n.sh exited ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
}

let tarball: Promise<string> | undefined;
/** The packed package (npm pack), once per process; SORA_E2E_TARBALL reuses one packed before (vitest global setup). */
export function packageTarball(): Promise<string> {
	const given = process.env.SORA_E2E_TARBALL;
	if (given && existsSync(given)) return Promise.resolve(given);
	tarball ??= (async () => {
		if (!distBuilt()) throw new Error('dist/ is missing or incomplete: run npm run build first');
		const dir = mkdtempSync(join(tmpdir(), 'sora-pack-'));
		onExit(() => rmSync(dir, { recursive: true, force: true }));
		const { code, stdout, stderr } = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
		const file = readdirSync(dir).find((f) => f.endsWith('.tgz'));
		if (code !== 0 || !file) throw new Error(`npm pack failed: ${stdout}${stderr}`);
		return join(dir, file);
	})();
	return tarball;
}

/** Unpacks the package as `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-sora`, without node_modules. */
export async function installPackage(userFolder: string): Promise<string> {
	const pkg = join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-sora');
	mkdirSync(pkg, { recursive: true });
	const { code, stderr } = await run('tar', ['-xzf', await packageTarball(), '-C', pkg, '--strip-components=1']);
	if (code !== 0) throw new Error(`unpacking the package failed: ${stderr}`);
	if (existsSync(join(pkg, 'node_modules'))) throw new Error('the packed package carries node_modules');
	return pkg;
}

/** Pulls the run data out of `N8N_LOG_FORMAT=json n8n execute --rawOutput` output: the last info record holding it. */
export function extractResult(stdout: string): ExecutionResult | undefined {
	let result: ExecutionResult | undefined;
	for (const line of stdout.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const record = JSON.parse(line) as { message?: unknown };
			if (typeof record.message !== 'string' || !record.message.startsWith('{')) continue;
			const parsed = JSON.parse(record.message) as ExecutionResult;
			if (parsed?.data?.resultData) result = parsed;
		} catch {
			// another log line
		}
	}
	return result;
}

function baseEnv(runtime: Runtime, userFolder: string, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
	// vitest's (NODE_ENV=test silences n8n's logger) and npm's own variables mean nothing to n8n
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|npm_|NODE_ENV$|TEST$|NODE_OPTIONS$)/i.test(key)));
	const env: NodeJS.ProcessEnv = {
		...inherited,
		PATH: `${join(runtime.nodeHome, 'bin')}:${join(runtime.dir, 'app', 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
		NODE24_HOME: runtime.nodeHome,
		npm_config_nodedir: runtime.nodeHome,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		// 2.x only: 1.x has no such module and refuses to start on the name
		N8N_DISABLED_MODULES: runtime.major >= 2 ? 'mcp-registry' : undefined,
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		...extra,
	};
	for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
	return env;
}

const isRoot = () => process.getuid?.() === 0;

async function pgBinDir(): Promise<string | undefined> {
	const dirs = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
	return dirs.find((d) => ['pg_ctl', 'initdb', 'postgres'].every((b) => existsSync(join(d, b))));
}

async function commandExists(name: string) {
	return (await run('bash', ['-c', `command -v ${name}`])).code === 0;
}

/** PostgreSQL and Redis for queue mode: installed from Debian packages by e2e/setup-queue-services.sh when missing. */
async function ensureQueueServices(): Promise<string> {
	let bin = await pgBinDir();
	if (!bin || !(await commandExists('redis-server')) || !(await commandExists('psql'))) {
		const { code, stdout, stderr } = await run('bash', [join(ROOT, 'e2e', 'setup-queue-services.sh')]);
		bin = await pgBinDir();
		if (code !== 0 || !bin) throw new Error(`queue mode needs PostgreSQL and Redis: ${stdout}${stderr}`);
	}
	return bin;
}

async function startPostgres(dir: string): Promise<{ port: number; pid: number; cleanup: () => void; restart: () => Promise<void> }> {
	const bin = await ensureQueueServices();
	const base = join(dir, 'pg');
	const data = join(base, 'data');
	mkdirSync(join(base, 'run'), { recursive: true });
	let as: string[] = [];
	if (isRoot()) {
		// initdb refuses root: the cluster belongs to user postgres, who must reach the folder
		const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
		const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
		for (let d = dir; d !== '/' && d !== tmpdir(); d = join(d, '..')) chmodSync(d, statSync(d).mode | 0o711);
		for (const d of [base, join(base, 'run')]) chownSync(d, uid, gid);
		as = ['runuser', '-u', 'postgres', '--'];
	}
	const cmd = (name: string, args: string[]) => (as.length ? run(as[0], [...as.slice(1), join(bin, name), ...args]) : run(join(bin, name), args));
	const init = await cmd('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
	if (init.code !== 0) throw new Error(`initdb failed: ${init.stdout.slice(-1000)}${init.stderr.slice(-1000)}`);
	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		// trust on loopback only: a throwaway cluster on 127.0.0.1, deleted after the run
		const start = await cmd('pg_ctl', ['-D', data, '-l', join(base, 'postgres.log'), '-w', '-t', '60', '-o',
			`-p ${port} -c listen_addresses=127.0.0.1 -k ${join(base, 'run')} -c fsync=off -c max_connections=200`, 'start']);
		if (start.code !== 0) {
			if (attempt < 2) continue; // the port was taken meanwhile
			throw new Error(`PostgreSQL did not start: ${readFileSync(join(base, 'postgres.log'), 'utf8').slice(-1500)}`);
		}
		const pidOf = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
		const created = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-qc', `CREATE DATABASE ${PG_DB}`, 'postgres']);
		if (created.code !== 0) throw new Error(`CREATE DATABASE failed: ${created.stderr}`);
		const pg = {
			port,
			pid: pidOf(),
			// Postgres runs detached from us (pg_ctl), so it is stopped by its PID here, on exit too
			cleanup: () => {
				try {
					process.kill(pg.pid, 'SIGINT');
				} catch {
					// gone
				}
			},
			/** pg_ctl restart (fast: open connections are cut, as when a database host restarts); the new PID is kept */
			restart: async () => {
				const r = await cmd('pg_ctl', ['-D', data, '-l', join(base, 'postgres.log'), '-w', '-t', '60', '-m', 'fast', 'restart']);
				if (r.code !== 0) throw new Error(`pg_ctl restart failed: ${r.stdout.slice(-500)}${r.stderr.slice(-500)}`);
				pg.pid = pidOf();
			},
		};
		return pg;
	}
}

async function startRedis(dir: string): Promise<{ port: number; proc: Proc }> {
	const redisDir = join(dir, 'redis');
	mkdirSync(redisDir, { recursive: true });
	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		const proc = startProcess('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { log: join(redisDir, 'redis.log') });
		try {
			await waitFor('Redis', async () => {
				if (!proc.alive()) throw new Error('redis-server exited');
				return (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.includes('PONG');
			}, 10_000, 100);
			return { port, proc };
		} catch (error) {
			await proc.stop();
			if (attempt >= 2) throw error;
		}
	}
}

const tail = (file: string, chars = 2000) => (existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '');

/** Starts n8n as the config says; see the top of this file. */
export async function startN8n(config: N8nConfig = {}): Promise<N8nStack> {
	const runtime = runtimeOf(config.version);
	await ensureRuntime(runtime);
	const mode = config.mode ?? 'regular';
	const dir = mkdtempSync(join(tmpdir(), `${config.label ?? 'sora-n8n'}-`));
	const cleanups: Array<() => void> = [];
	const keep = config.keep ?? process.env.KEEP_E2E_STATE === '1';
	const filesDir = config.files ? join(dir, 'files') : undefined;
	if (filesDir) mkdirSync(filesDir, { recursive: true });
	const startTimeoutMs = config.startTimeoutMs ?? 120_000;

	let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
	let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
	const shared: Record<string, string | undefined> = { ...config.env };
	if (filesDir) shared.N8N_RESTRICT_FILE_ACCESS_TO = filesDir;
	// n8n 1.x keeps binaries in memory by default; 2.x (and 3.x only) stores them on disk: test what 2.x users get
	const binaryMode = config.binaryDataMode ?? (mode === 'queue' ? 'database' : runtime.major < 2 ? 'filesystem' : undefined);
	if (binaryMode) shared.N8N_DEFAULT_BINARY_DATA_MODE = binaryMode;
	if (config.binaryDataMaxMiB) shared.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = String(config.binaryDataMaxMiB);

	const stack = {} as N8nStack;
	let removeExitHook = () => {};
	try {
		if (mode === 'queue') {
			postgres = await startPostgres(dir);
			removeExitHook = onExit(postgres.cleanup);
			redis = await startRedis(dir);
			Object.assign(shared, {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: PG_DB,
				DB_POSTGRESDB_USER: 'postgres',
				DB_POSTGRESDB_PASSWORD: 'unused-trust-on-loopback',
			});
		}
		const processEnv = async (name: string, extra: Record<string, string | undefined> = {}) => {
			const userFolder = join(dir, name, 'user');
			await installPackage(userFolder);
			// every n8n process on one host needs a task-broker port of its own
			return baseEnv(runtime, userFolder, { ...shared, N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extra });
		};
		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const env = await processEnv('main', { N8N_PORT: String(port), WEBHOOK_URL: `${baseUrl}/` });
		const mainLog = join(dir, 'main.log');
		let cookie = '';

		const n8n = (args: string[], extraEnv: Record<string, string> = {}) => run(runtime.node, [runtime.n8nBin, ...args], { env: { ...env, ...extraEnv } });
		const importCredentials = async (credentials: CredentialSpec[]) => {
			const file = join(dir, 'credentials.json');
			writeFileSync(file, JSON.stringify(credentials));
			const r = await n8n(['import:credentials', `--input=${file}`]);
			rmSync(file, { force: true }); // the API keys stay in n8n's encrypted store only
			if (r.code !== 0) throw new Error(`n8n import:credentials failed: ${(r.stdout + r.stderr).slice(-1500)}`);
		};
		const importWorkflows = async (workflows: WorkflowSpec[]) => {
			const wfDir = mkdtempSync(join(dir, 'workflows-'));
			for (const wf of workflows) writeFileSync(join(wfDir, `${wf.id}.json`), JSON.stringify(wf));
			const r = await n8n(['import:workflow', '--separate', `--input=${wfDir}`]);
			if (r.code !== 0) throw new Error(`n8n import:workflow failed: ${(r.stdout + r.stderr).slice(-1500)}`);
		};
		const publish = async (ids: string[]) => {
			for (const id of ids) {
				// 1.x activates with update:workflow; 2.x publishes
				const args = runtime.major >= 2 ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true'];
				const r = await n8n(args);
				if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} failed: ${(r.stdout + r.stderr).slice(-1500)}`);
			}
		};

		const startWorker = async (name: string): Promise<Worker> => {
			// a restarted worker keeps its user folder: processEnv unpacks the same package into it again
			const healthPort = await freePort();
			const workerEnv = await processEnv(name, {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				// n8n's docs: every process of a queue-mode instance has the same WEBHOOK_URL (workers build resume URLs)
				WEBHOOK_URL: `${baseUrl}/`,
				...config.workerEnv,
			});
			const log = join(dir, `${name}.log`);
			const proc = startProcess(`n8n worker ${name}`, runtime.node, [runtime.n8nBin, 'worker', `--concurrency=${config.workerConcurrency ?? 5}`], { env: workerEnv, log });
			return { name, proc, log, healthPort };
		};
		const waitWorker = (worker: Worker) =>
			waitFor(`n8n worker ${worker.name}`, async () => {
				if (!worker.proc.alive()) throw new Error(`worker ${worker.name} exited: ${tail(worker.log)}`);
				return (await statusOf(`http://127.0.0.1:${worker.healthPort}/healthz/readiness`)) === 200;
			}, startTimeoutMs, 300);

		/** The newest 100 executions (n8n's limit per page) and the number of all of them */
		const listExecutions = async (workflowId?: string) => {
			const filter = workflowId ? `&filter=${encodeURIComponent(JSON.stringify({ workflowId }))}` : '';
			const body = await stack.rest<{ data?: { results: ExecutionSummary[]; count: number }; message?: string }>('GET', `/rest/executions?limit=100${filter}`);
			if (!body.data) throw new Error(`GET /rest/executions: ${body.message ?? JSON.stringify(body).slice(0, 300)}`);
			return body.data;
		};

		const setupOwner = async () => {
			const response = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
			const setCookie = response.headers.getSetCookie().map((c) => c.split(';')[0]);
			await response.arrayBuffer();
			if (setCookie.length) cookie = setCookie.join('; ');
			else if (!cookie) {
				// an owner set up before (a restarted n8n on the same database): sign in
				const login = await fetch(`${baseUrl}/rest/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }) });
				cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
				await login.arrayBuffer();
			}
		};

		Object.assign(stack, {
			config,
			mode,
			dir,
			userFolder: env.N8N_USER_FOLDER!,
			filesDir,
			port,
			baseUrl,
			mainLog,
			workers: [] as Worker[],
			env,
			postgres: postgres && { port: postgres.port, pid: postgres.pid },
			redis,
			cli: n8n,
			importCredentials,
			importWorkflows,
			publish,
			async execute(workflowId: string): Promise<ExecuteResult> {
				const t0 = performance.now();
				const { code, stdout, stderr } = await n8n(['execute', `--id=${workflowId}`, '--rawOutput'], { N8N_LOG_FORMAT: 'json' });
				writeFileSync(join(dir, `${workflowId}.out`), stdout);
				writeFileSync(join(dir, `${workflowId}.err`), stderr);
				return { code, stdout, stderr, seconds: (performance.now() - t0) / 1000, result: extractResult(stdout) };
			},
			async startMain(extraEnv: Record<string, string> = {}) {
				const main = startProcess('n8n main', runtime.node, [runtime.n8nBin, 'start'], { env: { ...env, ...extraEnv }, log: mainLog });
				stack.main = main;
				if (mode === 'queue') {
					const missing = (config.workers ?? 2) - stack.workers.filter((w) => w.proc.alive()).length;
					for (let i = 0; i < missing; i++) stack.workers.push(await startWorker(`w${stack.workers.length + 1}`));
				}
				await waitFor('n8n to be ready', async () => {
					if (!main.alive()) throw new Error(`n8n exited: ${tail(mainLog)}`);
					// n8n 1.x answers readiness before its REST routes are mounted: wait for those too
					return (await statusOf(`${baseUrl}/healthz/readiness`)) === 200 && (await statusOf(`${baseUrl}/rest/settings`)) === 200;
				}, startTimeoutMs, 300);
				// workers killed earlier (a crash test) stay in the list, exited: only the running ones must come up
				for (const worker of stack.workers.filter((w) => w.proc.alive())) await waitWorker(worker);
				for (const hook of config.waitForWebhooks ?? []) {
					const { path, method = 'GET', status = 200 } = typeof hook === 'string' ? { path: hook } : hook;
					await waitFor(`webhook ${method} /webhook/${path} answering ${status}`, async () => (await statusOf(`${baseUrl}/webhook/${path}`, { method })) === status, 60_000, 200);
				}
				await setupOwner();
			},
			async stopMain() {
				await stack.main?.stop(30_000);
			},
			async rest<T>(method: string, path: string, body?: unknown): Promise<T> {
				const response = await fetch(`${baseUrl}${path}`, {
					method,
					headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
					body: body === undefined ? undefined : JSON.stringify(body),
				});
				const text = await response.text();
				try {
					return JSON.parse(text) as T;
				} catch {
					throw new Error(`${method} ${path}: HTTP ${response.status}, no JSON: ${text.slice(0, 300)}`);
				}
			},
			executions: {
				async list(workflowId?: string) {
					return (await listExecutions(workflowId)).results;
				},
				async count(workflowId?: string) {
					return (await listExecutions(workflowId)).count;
				},
				async get(id: string) {
					return (await stack.rest<{ data: ExecutionSummary }>('GET', `/rest/executions/${id}`)).data;
				},
			},
			async restartPostgres() {
				if (!postgres) throw new Error('restartPostgres() needs queue mode');
				await postgres.restart();
				stack.postgres!.pid = postgres.pid;
			},
			async sql(query: string) {
				if (!postgres) throw new Error('sql() needs queue mode');
				const r = await run('psql', ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', PG_DB, '-At', '-c', query]);
				if (r.code !== 0) throw new Error(`psql: ${r.stderr}`);
				return r.stdout.trim();
			},
			async redisCli(args: string[]) {
				if (!redis) throw new Error('redisCli() needs queue mode');
				return (await run('redis-cli', ['-p', String(redis.port), ...args])).stdout.trim();
			},
			async addWorker(name: string) {
				const worker = await startWorker(name);
				stack.workers.push(worker);
				await waitWorker(worker);
				return worker;
			},
			async restartWorker(name: string) {
				const worker = stack.workers.find((w) => w.name === name);
				if (!worker) throw new Error(`no worker named ${name}`);
				if (worker.proc.alive()) throw new Error(`worker ${name} is still running: kill or stop it first`);
				const started = await startWorker(name);
				Object.assign(worker, { proc: started.proc, healthPort: started.healthPort });
				await waitWorker(worker);
				return worker;
			},
			workerOf(executionId: string) {
				return stack.workers.filter((w) => w.proc.alive() && existsSync(w.log) && readFileSync(w.log, 'utf8').includes(`Worker started execution ${executionId} `)).at(-1);
			},
			async stop() {
				// n8n first, so it lets go of Postgres and Redis
				await Promise.all([stack.main?.stop(30_000), ...stack.workers.map((w) => w.proc.stop(30_000))]);
				await redis?.proc.stop();
				if (postgres) {
					postgres.cleanup();
					await waitFor('PostgreSQL to stop', () => !existsSync(`/proc/${postgres!.pid}`), 20_000, 100).catch(() => process.kill(postgres!.pid, 'SIGKILL'));
					removeExitHook();
					rmSync(join(dir, 'pg', 'data'), { recursive: true, force: true }); // throwaway data; the logs stay
				}
				for (const cleanup of cleanups) cleanup();
				if (!keep) rmSync(dir, { recursive: true, force: true });
			},
		});

		if (config.credentials?.length) await importCredentials(config.credentials);
		if (config.workflows?.length) await importWorkflows(config.workflows);
		await publish(config.publish === 'all' ? (config.workflows ?? []).map((w) => w.id) : (config.publish ?? []));
		if (config.start !== false) await stack.startMain();
		return stack;
	} catch (error) {
		if (stack.stop) await stack.stop().catch(() => undefined);
		else {
			await redis?.proc.stop();
			postgres?.cleanup();
		}
		throw error;
	}
}

/** startN8n, `run` with the stack, and stop, also when `run` fails. */
export async function withN8n<T>(config: N8nConfig, use: (n8n: N8nStack) => Promise<T>): Promise<T> {
	const stack = await startN8n(config);
	try {
		return await use(stack);
	} finally {
		await stack.stop();
	}
}
