/** What a file really is, read from its first bytes (the declared MIME type of n8n binary data can lie). */

/** An image type and, where the header gives it, its pixel size. */
export interface ImageInfo {
	mimeType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
	width?: number;
	height?: number;
}

function jpegSize(data: Buffer): { width: number; height: number } | undefined {
	let offset = 2;
	while (offset + 9 < data.length) {
		if (data[offset] !== 0xff) return undefined;
		const marker = data[offset + 1];
		const length = data.readUInt16BE(offset + 2);
		// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size
		if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
			return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
		}
		offset += 2 + length;
	}
	return undefined;
}

function webpSize(data: Buffer): { width: number; height: number } | undefined {
	const chunk = data.toString('ascii', 12, 16);
	if (chunk === 'VP8X' && data.length >= 30)
		return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3) };
	if (chunk === 'VP8 ' && data.length >= 30)
		return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
	if (chunk === 'VP8L' && data.length >= 25) {
		const bits = data.readUInt32LE(21);
		return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	return undefined;
}

export function sniffImage(data: Buffer): ImageInfo | undefined {
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
		return { mimeType: 'image/jpeg', ...jpegSize(data) };
	}
	if (
		data.length >= 24 &&
		data.readUInt32BE(0) === 0x89504e47 &&
		data.readUInt32BE(4) === 0x0d0a1a0a
	) {
		return { mimeType: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
	}
	if (
		data.length >= 16 &&
		data.toString('ascii', 0, 4) === 'RIFF' &&
		data.toString('ascii', 8, 12) === 'WEBP'
	) {
		return { mimeType: 'image/webp', ...webpSize(data) };
	}
	if (data.length >= 10 && /^GIF8[79]a$/.test(data.toString('ascii', 0, 6))) {
		return { mimeType: 'image/gif', width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
	}
	return undefined;
}

/** MP4 and MOV carry an "ftyp" box at byte 4; WebM starts with the EBML magic. */
export function sniffVideo(data: Buffer): string | undefined {
	if (data.length >= 12 && data.toString('ascii', 4, 8) === 'ftyp') {
		return data.toString('ascii', 8, 10) === 'qt' ? 'video/quicktime' : 'video/mp4';
	}
	if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
	return undefined;
}
