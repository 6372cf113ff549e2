import { readSkinArchive } from '../../domain/controlpanel/skin-archive';
import type { Principal } from '../../ports/identity';
import { createSkin, type SettingsDeps } from './skins';

/**
 * "Create from archive": the whole archive is read and checked before anything is written, then
 * the skin is created exactly as "Create from skin" creates one (same limit, same name rules),
 * with the archive's colors over the base design's and its logo. In a module of its own, so the
 * zip reader (fflate) is bundled only where this route is served.
 */
export async function createSkinFromArchive(
  deps: SettingsDeps,
  actor: Principal,
  input: { name: string; from?: string; archive: string },
) {
  const contents = readSkinArchive(input.archive);
  return createSkin(deps, actor, { name: input.name, from: input.from ?? 'default' }, contents);
}
