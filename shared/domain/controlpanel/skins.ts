/**
 * The seed's Settings menu: custom skins (designs) of the panel, made from a built-in design or
 * another skin, with colors and a logo, and the reseller's help page. Pure validation; no I/O.
 */
import * as z from 'zod';
import { ValidationError } from '../errors';
import { refineSafeHtml } from '../html-policy';
import { gifProblem } from './gif';

/** How many skins a reseller may keep; one page lists them all. */
export const MAX_SKINS = 50;

/** The built-in designs a skin can start from (and that preferences.design may name). */
export const BUILT_IN_DESIGNS = ['default', 'classic', 'ocean', 'forest'] as const;

/** The interface elements whose colors a skin sets (HTML color codes, the seed's "Adjust colors"). */
export const SKIN_COLOR_NAMES = ['background', 'text', 'link', 'menuBackground', 'menuText', 'highlight', 'exceeded'] as const;
export type SkinColors = Partial<Record<(typeof SKIN_COLOR_NAMES)[number], string>>;

const BUILT_IN_COLORS: Record<(typeof BUILT_IN_DESIGNS)[number], Required<SkinColors>> = {
  default: { background: '#ffffff', text: '#222222', link: '#1a56a8', menuBackground: '#e8edf3', menuText: '#1f2d3d', highlight: '#ffe9a8', exceeded: '#f8c9c4' },
  classic: { background: '#f4f4f4', text: '#000000', link: '#0000cc', menuBackground: '#c0c0c0', menuText: '#000000', highlight: '#ffff99', exceeded: '#ff9999' },
  ocean: { background: '#f3f8fb', text: '#123040', link: '#00679a', menuBackground: '#0b4f6c', menuText: '#ffffff', highlight: '#bfe6f5', exceeded: '#f5b7b1' },
  forest: { background: '#f6f8f3', text: '#1d2b1a', link: '#2f6b2f', menuBackground: '#2e4a2b', menuText: '#f0f5ec', highlight: '#dcecc6', exceeded: '#f2c0b5' },
};

export const skinNameSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be 1-40 characters: a-z, 0-9, -' })
  .refine((n) => !(BUILT_IN_DESIGNS as readonly string[]).includes(n), { error: 'is the name of a built-in design' });

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be an HTML color code such as #1a56a8' });
export const skinColorsSchema = z.strictObject(
  Object.fromEntries(SKIN_COLOR_NAMES.map((n) => [n, colorSchema.optional()])) as Record<(typeof SKIN_COLOR_NAMES)[number], z.ZodOptional<typeof colorSchema>>,
);

export interface Skin {
  name: string;
  /** The built-in design or skin it was made from. */
  basedOn: string;
  colors: Required<SkinColors>;
  /** logo.gif, base64; the seed: GIF, 158x67 pixels. */
  logoGif: string | null;
  createdAt: string;
  updatedAt: string;
}

export function builtInColors(design: string): Required<SkinColors> | undefined {
  return (BUILT_IN_COLORS as Record<string, Required<SkinColors>>)[design];
}

export const LOGO = { width: 158, height: 67, maxBytes: 64 * 1024 } as const;

/** Checks a logo is a whole GIF of exactly 158x67 pixels and not too large. */
export function checkLogoGif(base64: string, field = 'logoGif'): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw ValidationError.field(field, 'must be base64');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > LOGO.maxBytes) throw ValidationError.field(field, `must be at most ${LOGO.maxBytes / 1024} KB`);
  const gif = gifProblem(bytes);
  if ('problem' in gif) throw ValidationError.field(field, gif.problem);
  if (gif.width !== LOGO.width || gif.height !== LOGO.height) {
    throw ValidationError.field(field, `must be ${LOGO.width}x${LOGO.height} pixels (is ${gif.width}x${gif.height})`);
  }
  return bytes;
}

/** The help page shown in users' interface: HTML only, no tags (the seed), bounded. */
export const helpPageSchema = z.strictObject({
  html: z.string({ error: 'must be a string' }).max(32 * 1024, { error: 'must be at most 32 KB' }).superRefine(refineSafeHtml),
});
