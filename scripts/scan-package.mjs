// Runs the checks of n8n's community package scanner (@n8n/scan-community-package, the "linter" of the verification
// guidelines) on this package as it would be published: the source (package.json, nodes/, credentials/) and the
// files `npm pack` puts in the tarball. The real scanner downloads a published version from npm; this runs its
// own analysis function on the local tarball instead. Prints "scan: passed" or the violations; exit 1 on any.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'sora-scan-'));
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
const packed = join(work, 'package');

const source = await analyzePackage(root, SOURCE_FILE_PATTERNS);
const dist = await analyzePackage(packed, ['**/*.js', 'package.json']);
for (const [label, result] of [['source', source], ['published files', dist]]) {
	console.log(`scan (${label}): ${result.passed ? 'passed' : `FAILED: ${result.message}`}`);
	if (result.details) console.log(result.details);
}
process.exit(source.passed && dist.passed ? 0 : 1);
