/**
 * The floor under every streamed download in n8n's runtime: Node itself, no n8n, no node of ours, fetching the same
 * generated file from the simulator's CDN with `http.get` and writing it with `stream.pipeline` to a file. Run by
 * scripts/bench-n8n-download.mts in a fresh process of n8n's own Node (24):
 *   node scripts/download-floor.mjs SMALL_URL BIG_URL FILE [PARALLEL]
 * PARALLEL (default 1) downloads of each file run at once, into FILE.0, FILE.1, ...
 * Prints one JSON line: peak RSS above the RSS before each download (VmHWM, reset through /proc/self/clear_refs), and
 * the most ArrayBuffer memory seen alive during it. Every socket read is a fresh buffer that only V8's collector frees,
 * so `arrayBuffers` shows how much of that garbage waits for a collection when nothing else holds any of it.
 */
import { readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

const MiB = 1024 * 1024;
const [smallUrl, bigUrl, file, parallelArg] = process.argv.slice(2);
const parallel = Number(parallelArg ?? 1);

function status() {
	const text = readFileSync('/proc/self/status', 'utf8');
	const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)[1]) * 1024;
	return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

async function download(url) {
	const get = () =>
		new Promise((resolve, reject) => http.get(url, resolve).on('error', reject)).then((response) => {
			if (response.statusCode !== 200) throw new Error(`${url}: HTTP ${response.statusCode}`);
			return response;
		});
	const responses = await Promise.all(Array.from({ length: parallel }, get));
	const before = status().rss;
	writeFileSync('/proc/self/clear_refs', '5');
	let arrayBuffers = 0;
	const sampler = setInterval(() => (arrayBuffers = Math.max(arrayBuffers, process.memoryUsage().arrayBuffers)), 5);
	await Promise.all(responses.map((response, i) => pipeline(response, createWriteStream(`${file}.${i}`))));
	clearInterval(sampler);
	const peak = status().hwm;
	for (let i = 0; i < parallel; i++) rmSync(`${file}.${i}`, { force: true });
	return { peakGrowthMiB: (peak - before) / MiB, arrayBuffersMiB: arrayBuffers / MiB };
}

const small = await download(smallUrl);
const big = await download(bigUrl);
console.log(JSON.stringify({ node: process.version, parallel, small, big }));
