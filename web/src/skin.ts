import { get } from './api';
import type { SkinLook } from './state';

/** The skin's colours become CSS custom properties, so the whole console changes at once. */
const VARS: Record<string, string> = {
  background: '--bg',
  text: '--text',
  link: '--link',
  menuBackground: '--menu-bg',
  menuText: '--menu-text',
  highlight: '--highlight',
  exceeded: '--exceeded',
};

export function applySkin(skin: SkinLook | null) {
  const style = document.documentElement.style;
  for (const [name, v] of Object.entries(VARS)) {
    const c = skin?.colors[name];
    if (c) style.setProperty(v, c);
    else style.removeProperty(v);
  }
}

export interface SkinList {
  builtIn: string[];
  designs?: { name: string; colors: Record<string, string> }[];
  items: { name: string; basedOn: string; colors: Record<string, string>; hasLogo: boolean }[];
}

/** The look of a design: a built-in design's colours or a custom skin's colours and logo. */
export async function loadSkinLook(design: string): Promise<SkinLook | null> {
  const list = await get<SkinList>('/skins');
  const builtIn = list.designs?.find((d) => d.name === design);
  if (builtIn) return { colors: builtIn.colors, logoGif: null };
  const custom = list.items.find((s) => s.name === design);
  if (!custom) return null;
  const logoGif = custom.hasLogo ? (await get<{ logoGif: string | null }>(`/skins/${design}`)).logoGif : null;
  return { colors: custom.colors, logoGif };
}
