/**
 * "Create from archive" (the seed's skin editor): a skin uploaded as a zip. The format
 * (docs/skins.md): at the top level, `colors.json` (an object of the skin's color names to HTML
 * color codes, any subset) and/or `logo.gif` (GIF, 158x67); nothing else. Everything wrong is a
 * ValidationError naming `archive`.
 */
import { ValidationError } from '../errors';
import { checkLogoGif, skinColorsSchema, type SkinColors } from './skins';
import { readZip, ZipProblem } from './zip';

export const SKIN_ARCHIVE = {
  files: ['colors.json', 'logo.gif'] as const,
  maxEntries: 2,
  /** colors.json is a few hundred bytes and logo.gif at most 64 KiB. */
  maxUnpackedBytes: 80 * 1024,
  /** The zip itself, before base64. */
  maxArchiveBytes: 96 * 1024,
} as const;

export function readSkinArchive(base64: string, field = 'archive'): { colors: SkinColors; logoGif: string | null } {
  const bad = (reason: string) => ValidationError.field(field, reason);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw bad('must be a base64 zip archive');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > SKIN_ARCHIVE.maxArchiveBytes) throw bad(`must be at most ${SKIN_ARCHIVE.maxArchiveBytes / 1024} KB`);
  let entries;
  try {
    entries = readZip(bytes, { maxEntries: SKIN_ARCHIVE.maxEntries, maxTotalBytes: SKIN_ARCHIVE.maxUnpackedBytes }, (name) =>
      (SKIN_ARCHIVE.files as readonly string[]).includes(name),
    );
  } catch (e) {
    if (e instanceof ZipProblem) throw bad(e.message);
    throw bad('is not a readable zip archive');
  }
  if (!entries.length) throw bad('holds neither colors.json nor logo.gif');
  let colors: SkinColors = {};
  let logoGif: string | null = null;
  for (const entry of entries) {
    if (entry.name === 'colors.json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entry.data));
      } catch {
        throw bad('colors.json is not JSON text');
      }
      const out = skinColorsSchema.safeParse(parsed);
      if (!out.success) {
        const issue = out.error.issues[0];
        const where = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue?.path.join('.');
        throw bad(`colors.json: ${where ? `${where}: ` : ''}${issue?.code === 'unrecognized_keys' ? 'is not a color of a skin' : issue?.message}`);
      }
      colors = out.data as SkinColors;
    } else {
      const b64 = Buffer.from(entry.data).toString('base64');
      try {
        checkLogoGif(b64, field);
      } catch (e) {
        if (e instanceof ValidationError) throw bad(`logo.gif ${e.fields?.[field] ?? 'is not a valid logo'}`);
        throw e;
      }
      logoGif = b64;
    }
  }
  return { colors, logoGif };
}
