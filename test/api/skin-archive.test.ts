import { strToU8, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../shared/domain/controlpanel/zip';
import { api, newReseller } from '../support/api';
import { gifBytes } from '../support/gif';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const zip = (files: Zippable) => zipSync(files, { mtime: new Date('2026-01-01T00:00:00Z') });
const colors = (c: Record<string, unknown>) => strToU8(JSON.stringify(c));

/** Sets every uncompressed-size field (local header and central directory) to `size`: a lying archive. */
function lieAboutSizes(bytes: Uint8Array, size: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let at = 0; at + 4 <= out.length; at++) {
    const sig = view.getUint32(at, true);
    if (sig === 0x04034b50) view.setUint32(at + 22, size, true);
    if (sig === 0x02014b50) view.setUint32(at + 24, size, true);
  }
  return out;
}

describe('POST /skin-archives (the seed\'s "Create from archive")', () => {
  it('creates a skin from a zip of colors.json and logo.gif, over the base design', async () => {
    const r = await newReseller();
    const archive = b64(zip({ 'colors.json': colors({ link: '#0b4f6c', highlight: '#bfe6f5' }), 'logo.gif': gifBytes(158, 67) }));
    const res = await api('POST', '/skin-archives', { token: r.token, body: { name: 'from-zip', from: 'ocean', archive } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const skin = (await api('GET', '/skins/from-zip', { token: r.token })).body;
    expect(skin.basedOn).toBe('ocean');
    expect(skin.colors.link).toBe('#0b4f6c');
    expect(skin.colors.menuBackground).toBe('#0b4f6c'); // ocean's, not in the archive
    expect(skin.logoGif).toBe(b64(gifBytes(158, 67)));
    // Deflated and stored entries both work; logo only is fine too.
    const deflated = b64(zipSync({ 'logo.gif': [gifBytes(158, 67), { level: 9 }] }));
    expect((await api('POST', '/skin-archives', { token: r.token, body: { name: 'logo-only', archive: deflated } })).status).toBe(201);
  });

  const refused: [string, () => Uint8Array | string, RegExp][] = [
    ['a path that escapes', () => zip({ '../colors.json': colors({}) }), /escapes/],
    ['an absolute path', () => zip({ '/etc/passwd': strToU8('x') }), /absolute/],
    ['a symlink', () => zip({ 'logo.gif': [strToU8('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }), /link/],
    ['a file the skin does not use', () => zip({ 'colors.json': colors({}), 'run.sh': strToU8('rm -rf /') }), /not a file of a skin|entries/],
    ['a directory', () => zip({ skin: { 'colors.json': colors({}) } }), /directory|not a file of a skin/],
    ['too many entries', () => zip(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, strToU8('x')]))), /entries/],
    ['a declared size over the bound (zip bomb)', () => zip({ 'colors.json': [strToU8(' '.repeat(5_000_000)), { level: 9 }] }), /more than/],
    ['a bomb that lies about its size', () => lieAboutSizes(zip({ 'colors.json': [strToU8(' '.repeat(5_000_000)), { level: 9 }] }), 100), /more than it declares|not the size/],
    ['a bad logo', () => zip({ 'logo.gif': strToU8('R0lGODlh') }), /logo\.gif/],
    ['a logo of the wrong size', () => zip({ 'logo.gif': gifBytes(100, 67) }), /158x67/],
    ['colors that are not colors', () => zip({ 'colors.json': colors({ link: 'red' }) }), /colors\.json/],
    ['an unknown color', () => zip({ 'colors.json': colors({ sparkle: '#ffffff' }) }), /sparkle/],
    ['no zip at all', () => 'bm90IGEgemlw', /not a zip/],
    ['an empty zip', () => zip({}), /neither/],
    ['a truncated zip', () => zip({ 'colors.json': colors({ link: '#000000' }) }).subarray(0, 40), /zip/],
  ];
  for (const [what, make, reason] of refused) {
    it(`refuses ${what}, naming archive, and creates nothing`, async () => {
      const r = await newReseller();
      const made = make();
      const archive = typeof made === 'string' ? made : b64(made);
      const res = await api('POST', '/skin-archives', { token: r.token, body: { name: 'bad', archive } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(Object.keys(res.body.error.fields)).toEqual(['archive']);
      expect(res.body.error.fields.archive).toMatch(reason);
      expect((await api('GET', '/skins/bad', { token: r.token })).status).toBe(404);
    });
  }

  it('stops inflating a lying entry near its declared size, without unpacking the bomb', () => {
    const bomb = lieAboutSizes(zip({ 'colors.json': [strToU8(' '.repeat(20_000_000)), { level: 9 }] }), 100);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readZip(bomb, { maxEntries: 2, maxTotalBytes: 80 * 1024 }, () => true)).toThrow(/more than it declares/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
  });
});
