// Fails when an import in nodes/ points up the layer order, or from one node's folder into another's.
// The order, top to bottom (docs/architecture.md says why):
//   nodes/<Node>/ → shared/batch → parameters → tasks → media → provider → rules → domain → util
// A folder may import its own files and any folder below it, never one above.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ORDER = ['batch', 'parameters', 'tasks', 'media', 'provider', 'rules', 'domain', 'util'];
const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'nodes');

function files(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
	});
}

/** A file's place: its rank (0 = a node's own folder) and the folder that names it in messages. */
function placeOf(file) {
	const [top, layer] = relative(root, file).split(sep);
	if (top !== 'shared') return { rank: 0, folder: top };
	const rank = ORDER.indexOf(layer) + 1;
	if (rank === 0) throw new Error(`nodes/shared/${layer}/ is not in the layer order of scripts/check-layers.mjs: add it there`);
	return { rank, folder: `shared/${layer}` };
}

const problems = [];
let imports = 0;
for (const file of files(root)) {
	const from = placeOf(file);
	for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
		imports++;
		const to = placeOf(resolve(dirname(file), spec));
		const where = `nodes/${relative(root, file)} imports '${spec}'`;
		if (to.rank < from.rank || (from.rank === 0 && to.rank === 0 && to.folder !== from.folder)) {
			problems.push(`${where}: ${from.folder} may not import ${to.folder} (it is not below it)`);
		}
	}
}
if (problems.length) {
	console.error(problems.join('\n'));
	console.error(`layers: ${problems.length} of ${imports} imports point up or sideways`);
	process.exit(1);
}
console.log(`layers: ${imports} imports in nodes/, every one points down (${ORDER.join(' → ')})`);
