// Pulls the execution JSON out of `N8N_LOG_FORMAT=json n8n execute --id=X --rawOutput` stdout: n8n logs the
// result at level info as one JSON record whose message is the stringified run data.
import { readFileSync } from 'node:fs';

let result;
for (const line of readFileSync(process.argv[2] ?? 0, 'utf8').split('\n')) {
	let record;
	try {
		record = JSON.parse(line);
	} catch {
		continue;
	}
	if (typeof record?.message !== 'string' || !record.message.startsWith('{')) continue;
	try {
		const parsed = JSON.parse(record.message);
		if (parsed?.data?.resultData) result = parsed;
	} catch {
		// another log line
	}
}
if (!result) {
	console.error('no execution result found in the n8n output');
	process.exit(2);
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
