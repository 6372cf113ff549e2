import { NotFoundError, ValidationError } from '../../domain/errors';
import { reread } from '../reread';
import { passwordProblem } from '../../domain/password';
import { accountOverview, type Preferences } from '../../domain/reseller';
import type { Principal } from '../../ports/identity';
import type { MessageType } from '../../ports/message-log';
import type { PageRequest } from '../../ports/page';
import { resellerOf } from '../actor';
import type { CoreDeps } from '../deps';
import type { SkinRepository } from '../../ports/skins';
import { BUILT_IN_DESIGNS } from '../../domain/controlpanel/skins';

/** General -> Overview: one read of the profile, which carries the counters. */
export async function getAccount(deps: CoreDeps, actor: Principal) {
  const resellerId = resellerOf(actor);
  const r = await deps.resellers.get(resellerId);
  if (!r) throw new NotFoundError('account not found');
  return {
    id: r.id,
    username: r.username,
    email: r.email,
    status: r.status,
    preferences: r.preferences,
    features: r.features,
    resources: accountOverview(r),
  };
}

export async function changePassword(
  deps: CoreDeps,
  actor: Principal,
  input: { oldPassword: string; newPassword: string; newPasswordRepeat: string },
): Promise<void> {
  if (input.newPassword !== input.newPasswordRepeat) {
    throw ValidationError.field('newPasswordRepeat', 'does not match newPassword');
  }
  const problem = passwordProblem(input.newPassword, deps.passwordPolicy, actor.username);
  if (problem) throw ValidationError.field('newPassword', problem);
  if (input.newPassword === input.oldPassword) throw ValidationError.field('newPassword', 'must differ from the old password');
  if (!(await deps.identity.verifyPassword(actor.username, input.oldPassword))) {
    throw ValidationError.field('oldPassword', 'is not the current password');
  }
  await deps.identity.setPassword(actor.username, input.newPassword);
  if (actor.resellerId) {
    await deps.messages.write(actor.resellerId, { type: 'notice', text: 'password changed' }, deps.clock.now());
  }
}

/**
 * Language and design become the defaults for users created from now on (the seed). The design is
 * a built-in one or one of the reseller's skins.
 */
export async function setPreferences(deps: CoreDeps & { skins: SkinRepository }, actor: Principal, input: Partial<Preferences>) {
  const resellerId = resellerOf(actor);
  if (input.design && !(BUILT_IN_DESIGNS as readonly string[]).includes(input.design) && !(await deps.skins.get(resellerId, input.design))) {
    throw ValidationError.field('design', 'is neither a built-in design nor one of your skins');
  }
  // Merged over what was read, at the version read (a concurrent change of the other preference stays).
  return reread(async () => {
    const read = await deps.resellers.getVersioned(resellerId);
    if (!read) throw new NotFoundError('account not found');
    const chosen = input.design && input.design !== read.reseller.preferences.design && !(BUILT_IN_DESIGNS as readonly string[]).includes(input.design);
    const updated = await deps.resellers.update(
      resellerId,
      { preferences: { ...read.reseller.preferences, ...input }, expectedVersion: read.version, ...(chosen ? { requireSkin: input.design } : {}) },
      deps.clock.now(),
    );
    return updated.preferences;
  });
}

export function listMessages(deps: CoreDeps, actor: Principal, filter: { type?: MessageType } & PageRequest) {
  return deps.messages.list(resellerOf(actor), filter);
}
