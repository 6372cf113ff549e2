import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import { BUILT_IN_DESIGNS, MAX_SKINS, builtInColors, checkLogoGif, type Skin, type SkinColors } from '../../domain/controlpanel/skins';
import type { Principal } from '../../ports/identity';
import type { SkinRepository } from '../../ports/skins';
import { resellerOf } from '../actor';
import type { CoreDeps } from '../deps';

export type SettingsDeps = CoreDeps & { skins: SkinRepository };

const summary = (s: Skin) => ({ name: s.name, basedOn: s.basedOn, colors: s.colors, hasLogo: s.logoGif !== null, updatedAt: s.updatedAt });

export async function listSkins(deps: SettingsDeps, actor: Principal) {
  const skins = await deps.skins.list(resellerOf(actor));
  // The built-in designs' colours too, so a console can wear any design the reseller chooses.
  return { builtIn: [...BUILT_IN_DESIGNS], designs: BUILT_IN_DESIGNS.map((name) => ({ name, colors: builtInColors(name)! })), items: skins.map(summary) };
}

/** "Create from skin": a new skin starts as a copy of a built-in design or of another skin. */
export async function createSkin(
  deps: SettingsDeps,
  actor: Principal,
  input: { name: string; from: string },
  /** "Create from archive": colors over the base's, and the archive's logo (shared/app/settings/skin-archive.ts). */
  contents: { colors?: SkinColors; logoGif?: string | null } = {},
) {
  const resellerId = resellerOf(actor);
  const existing = await deps.skins.list(resellerId);
  // A fast answer; the limit itself is the count item in the create's own transaction (races included).
  if (existing.length >= MAX_SKINS) throw new ConflictError(`at most ${MAX_SKINS} skins: delete one first`, 'TOO_MANY_SKINS');
  const base = builtInColors(input.from);
  const source = base ? undefined : existing.find((s) => s.name === input.from);
  if (!base && !source) throw ValidationError.field('from', 'is neither a built-in design nor one of your skins');
  const now = deps.clock.now().toISOString();
  const skin: Skin = {
    name: input.name,
    basedOn: input.from,
    colors: { ...(base ?? source!.colors), ...(contents.colors ?? {}) },
    logoGif: contents.logoGif ?? source?.logoGif ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.skins.create(resellerId, skin);
  await deps.messages.write(resellerId, { type: 'notice', text: `skin ${skin.name} created from ${skin.basedOn}` }, deps.clock.now());
  return summary(skin);
}

export async function getSkin(deps: SettingsDeps, actor: Principal, name: string) {
  const skin = await deps.skins.get(resellerOf(actor), name);
  if (!skin) throw new NotFoundError('skin not found');
  return { ...summary(skin), logoGif: skin.logoGif };
}

/** "Adjust colors" and "Upload logos" (logo.gif, 158x67); `logoGif: null` removes the logo. */
export async function updateSkin(deps: SettingsDeps, actor: Principal, name: string, input: { colors?: SkinColors; logoGif?: string | null }) {
  const resellerId = resellerOf(actor);
  if (typeof input.logoGif === 'string') checkLogoGif(input.logoGif);
  const skin = await deps.skins.get(resellerId, name);
  if (!skin) throw new NotFoundError('skin not found');
  const next: Skin = {
    ...skin,
    colors: { ...skin.colors, ...(input.colors ?? {}) },
    logoGif: input.logoGif === undefined ? skin.logoGif : input.logoGif,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.skins.update(resellerId, next);
  return summary(next);
}

/**
 * A skin that users wear, or that is the reseller's default design for new users, cannot go:
 * 409 SKIN_IN_USE naming how many wear it (decided in the delete's own transaction, so a user
 * switching to it at that moment never ends up wearing nothing).
 */
export async function deleteSkin(deps: SettingsDeps, actor: Principal, name: string) {
  const resellerId = resellerOf(actor);
  await deps.skins.delete(resellerId, name);
  await deps.messages.write(resellerId, { type: 'notice', text: `skin ${name} deleted` }, deps.clock.now());
}

export async function getHelpPage(deps: SettingsDeps, actor: Principal) {
  return { html: (await deps.skins.getHelpPage(resellerOf(actor))) ?? '' };
}

export async function putHelpPage(deps: SettingsDeps, actor: Principal, input: { html: string }) {
  await deps.skins.putHelpPage(resellerOf(actor), input.html);
  return { html: input.html };
}
