// Checks that package-lock.json can install on every platform npm supports: each optional dependency that a
// locked package declares (the native builds of rollup, esbuild, unrs-resolver, ... for every OS and CPU) has
// its own entry. npm leaves them out when the lock is updated over an existing node_modules, or when the
// registry lacks a build for the locked version; `npm ci` on another OS then installs without the binary.
// Fix: rm -rf node_modules package-lock.json && npm install (or pin the package to a version whose builds all exist).
import { readFileSync } from 'node:fs';

const { packages } = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));

/** The lock entry Node's resolution would find for `name`, required from the package at `from`. */
function resolve(from, name) {
	for (let base = from; ; ) {
		const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
		if (packages[candidate]) return candidate;
		if (!base) return undefined;
		const parent = base.lastIndexOf('/node_modules/');
		base = parent < 0 ? '' : base.slice(0, parent);
	}
}

const missing = Object.entries(packages).flatMap(([path, entry]) =>
	Object.keys(entry.optionalDependencies ?? {})
		.filter((name) => !resolve(path, name))
		.map((name) => `${path || '(root)'} → ${name}`),
);
if (missing.length) {
	console.error(`package-lock.json lacks ${missing.length} optional platform packages:\n  ${missing.join('\n  ')}`);
	process.exit(1);
}
const native = Object.values(packages).filter((entry) => entry.os || entry.cpu).length;
console.log(`package-lock.json: every optional dependency locked (${native} platform-specific packages)`);
