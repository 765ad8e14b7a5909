// A small zip writer and reader for saving and opening a pack as one file
// where the browser has no File System Access API. The writer stores files
// uncompressed (method 0) with their CRC-32 and UTF-8 names; the reader takes
// stored and deflated entries (DecompressionStream 'deflate-raw'), so zips
// made by other tools open too. No DOM: Node can import it.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 (ISO 3309, as zip uses it) of some bytes. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A fixed modification time (1980-01-01 00:00, the DOS epoch): the same pack
// gives the same zip, and the page never reads the clock.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const UTF8_FLAG = 1 << 11;

/**
 * A zip holding `files` ([{ name, text }], names with `/` between folders),
 * stored uncompressed. Returns a Uint8Array.
 */
export function writeZip(files) {
  const enc = new TextEncoder();
  const entries = files.map((f) => {
    const name = enc.encode(f.name);
    const data = typeof f.text === 'string' ? enc.encode(f.text) : f.text;
    return { name, data, crc: crc32(data) };
  });
  const local = (e) => 30 + e.name.length + e.data.length;
  const central = (e) => 46 + e.name.length;
  const size = entries.reduce((n, e) => n + local(e) + central(e), 0) + 22;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (v) => { view.setUint16(at, v, true); at += 2; };
  const u32 = (v) => { view.setUint32(at, v >>> 0, true); at += 4; };
  const bytes = (b) => { out.set(b, at); at += b.length; };
  const offsets = [];
  for (const e of entries) {
    offsets.push(at);
    u32(0x04034b50); u16(20); u16(UTF8_FLAG); u16(0); u16(DOS_TIME); u16(DOS_DATE);
    u32(e.crc); u32(e.data.length); u32(e.data.length); u16(e.name.length); u16(0);
    bytes(e.name); bytes(e.data);
  }
  const dirStart = at;
  entries.forEach((e, i) => {
    u32(0x02014b50); u16(20); u16(20); u16(UTF8_FLAG); u16(0); u16(DOS_TIME); u16(DOS_DATE);
    u32(e.crc); u32(e.data.length); u32(e.data.length); u16(e.name.length); u16(0); u16(0);
    u16(0); u16(0); u32(0); u32(offsets[i]);
    bytes(e.name);
  });
  const dirSize = at - dirStart;
  u32(0x06054b50); u16(0); u16(0); u16(entries.length); u16(entries.length);
  u32(dirSize); u32(dirStart); u16(0);
  return out;
}

/** Why a zip could not be read. */
export class ZipError extends Error {}

async function inflateRaw(data) {
  if (typeof DecompressionStream !== 'function') {
    throw new ZipError('this browser cannot unpack compressed zip entries; save the zip without compression');
  }
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The files in a zip (Uint8Array): [{ name, bytes }] in the zip's order,
 * folders left out. Throws ZipError when the bytes are not a zip this reader
 * understands or an entry's CRC-32 does not match.
 */
export async function readZip(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new ZipError('not a zip file (no end of central directory)');
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const dec = new TextDecoder();
  const out = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== 0x02014b50) {
      throw new ZipError(`entry ${n + 1}: the central directory is damaged`);
    }
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const packed = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const localAt = view.getUint32(at + 42, true);
    const name = dec.decode(zip.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (localAt + 30 > zip.length || view.getUint32(localAt, true) !== 0x04034b50) {
      throw new ZipError(`\`${name}\`: its local header is damaged`);
    }
    const start = localAt + 30 + view.getUint16(localAt + 26, true) + view.getUint16(localAt + 28, true);
    const data = zip.subarray(start, start + packed);
    if (data.length !== packed) throw new ZipError(`\`${name}\`: the zip is cut short`);
    let bytes;
    if (method === 0) bytes = data;
    else if (method === 8) bytes = await inflateRaw(data);
    else throw new ZipError(`\`${name}\`: compression method ${method} is not supported (use stored or deflate)`);
    if (crc32(bytes) !== crc) throw new ZipError(`\`${name}\`: its CRC-32 does not match (the zip is damaged)`);
    out.push({ name, bytes: new Uint8Array(bytes) });
  }
  return out;
}
