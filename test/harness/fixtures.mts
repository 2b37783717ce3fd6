import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { Flavor, SoraSimulator } from '../../simulator/server.mts';

export const FLAVORS: Flavor[] = ['toapis', 'openaiCompatible', 'azure'];

/** A credential pointing at the simulator, in the forms users type base URLs. */
export function credentialsFor(sim: SoraSimulator, flavor: Flavor, apiKey = sim.apiKey): ICredentialDataDecryptedObject {
	const baseUrl = flavor === 'openaiCompatible' ? `${sim.url}/v1/` : flavor === 'azure' ? `${sim.url}/openai/v1` : sim.url;
	return { apiFlavor: flavor, baseUrl, apiKey };
}

/** Every string in a value, flattened, to search for leaked secrets. */
export function allText(value: unknown): string {
	return JSON.stringify(value, (_key, v) => (v instanceof Error ? { message: v.message, ...(v as object) } : v)) ?? '';
}

import { crc32 } from 'node:zlib';
import { deflateSync } from 'node:zlib';
import type { INodeExecutionData } from 'n8n-workflow';

function pngChunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'ascii');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
	return Buffer.concat([head, data, crc]);
}

/** A real (grey) PNG of the given size. */
export function makePng(width: number, height: number): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
	const rows = Buffer.alloc((width + 1) * height, 0x80);
	for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', deflateSync(rows)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

export function itemWithBinary(property: string, data: Buffer, mimeType: string, fileName: string): INodeExecutionData {
	return { json: {}, binary: { [property]: { data: data.toString('base64'), mimeType, fileName } } };
}
