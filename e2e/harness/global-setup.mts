/**
 * Once before the real-n8n suites: n8n installed (e2e/setup-n8n.sh, idempotent), dist/ built, the package packed
 * once for every n8n the suites start (SORA_E2E_TARBALL, read by packageTarball()).
 */
import { ensureRuntime, packageTarball } from './n8n.mts';

export default async function setup() {
	await ensureRuntime();
	process.env.SORA_E2E_TARBALL = await packageTarball();
}
