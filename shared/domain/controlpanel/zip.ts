/**
 * A deliberately small zip reader for uploads we do not trust (the skin archive). It reads the
 * central directory itself, so every entry's name, type and declared sizes are checked before a
 * byte is inflated, and it inflates with fflate's streaming Inflate in small pieces, stopping as
 * soon as an entry grows past what it declared or the archive's bound (a zip bomb never gets to
 * allocate its gigabytes). Only stored and deflated entries; no zip64, encryption or multi-disk.
 * Problems are thrown as ZipProblem with a reason for the field.
 */
import { Inflate } from 'fflate';

export class ZipProblem extends Error {}

export interface ZipLimits {
  maxEntries: number;
  /** The sum of all entries' uncompressed sizes, declared and real. */
  maxTotalBytes: number;
}

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
// A deflate piece of 1 KiB unpacks to at most ~1 MiB: the most a bomb gets before it is stopped.
const PIECE = 1024;

export function readZip(bytes: Uint8Array, limits: ZipLimits, allowed: (name: string) => boolean): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const fail = (reason: string): never => {
    throw new ZipProblem(reason);
  };
  const need = (at: number, n: number) => {
    if (at < 0 || at + n > bytes.length) fail('is not a whole zip archive (truncated)');
  };

  // End of central directory: the last 22 bytes plus at most a 64 KiB comment.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail('is not a zip archive');
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== count) fail('is a multi-disk zip archive');
  if (count === 0xffff || cdOffset === 0xffffffff) fail('is a zip64 archive (not taken)');
  if (count > limits.maxEntries) fail(`has ${count} entries (at most ${limits.maxEntries})`);
  need(cdOffset, cdSize);

  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    need(at, 46);
    if (u32(at) !== 0x02014b50) fail('has a damaged central directory');
    const madeBy = u16(at + 4) >> 8; // 3: Unix, external attributes carry the mode
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const external = u32(at + 38);
    const localOffset = u32(at + 42);
    need(at + 46, nameLength);
    const name = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    // Paths that escape, then links, then what the caller takes.
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) fail(`entry ${JSON.stringify(name)} has an absolute path`);
    if (name.split('/').some((part) => part === '..')) fail(`entry ${JSON.stringify(name)} escapes the archive (..)`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f]/.test(name)) fail('an entry name holds control characters');
    const mode = madeBy === 3 ? external >>> 16 : 0;
    const type = mode & S_IFMT;
    if (madeBy === 3 && type !== 0 && type !== S_IFREG && type !== S_IFDIR) fail(`entry ${JSON.stringify(name)} is a link or special file`);
    if (name.endsWith('/') || type === S_IFDIR || (external & 0x10) !== 0) fail(`entry ${JSON.stringify(name)} is a directory (the archive holds files only)`);
    if (!allowed(name)) fail(`entry ${JSON.stringify(name)} is not a file of a skin`);
    if (seen.has(name)) fail(`entry ${JSON.stringify(name)} is there twice`);
    seen.add(name);
    if (flags & 0x1) fail(`entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) fail(`entry ${JSON.stringify(name)} uses compression method ${method} (stored or deflate only)`);
    if (size === 0xffffffff || compressedSize === 0xffffffff) fail('is a zip64 archive (not taken)');
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes) fail(`unpacks to more than ${limits.maxTotalBytes} bytes`);

    need(localOffset, 30);
    if (u32(localOffset) !== 0x04034b50) fail(`entry ${JSON.stringify(name)} has no local header`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    need(dataStart, compressedSize);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    const data = method === 0 ? raw.slice() : inflateBounded(raw, size, name, fail);
    if (data.length !== size) fail(`entry ${JSON.stringify(name)} is not the size it declares`);
    entries.push({ name, data });
  }
  return entries;
}

/** Inflates in pieces and stops the moment the output passes `declared` bytes. */
function inflateBounded(raw: Uint8Array, declared: number, name: string, fail: (reason: string) => never): Uint8Array {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    produced += chunk.length;
    if (produced > declared) over = true;
    else chunks.push(chunk);
  });
  try {
    for (let at = 0; at < raw.length && !over; at += PIECE) {
      inflater.push(raw.subarray(at, Math.min(raw.length, at + PIECE)), at + PIECE >= raw.length);
    }
  } catch {
    fail(`entry ${JSON.stringify(name)} is not valid deflate data`);
  }
  if (over) fail(`entry ${JSON.stringify(name)} unpacks to more than it declares`);
  const out = new Uint8Array(produced);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
