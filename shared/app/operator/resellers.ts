import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import { passwordProblem } from '../../domain/password';
import {
  accountOverview,
  checkHardLimits,
  DEFAULT_PREFERENCES,
  resolveFeatures,
  type CreateResellerInput,
  type Reseller,
  type UpdateResellerInput,
} from '../../domain/reseller';
import type { Principal } from '../../ports/identity';
import type { Page, PageRequest } from '../../ports/page';
import { requireOperator } from '../actor';
import { reread } from '../reread';
import type { CoreDeps } from '../deps';

export type ResellerView = Omit<Reseller, 'used'> & { resources: ReturnType<typeof accountOverview> };

export function resellerView(r: Reseller): ResellerView {
  const { used: _used, ...rest } = r;
  return { ...rest, resources: accountOverview(r) };
}

export async function createReseller(
  deps: CoreDeps,
  actor: Principal,
  input: CreateResellerInput,
): Promise<{ id: string; username: string }> {
  requireOperator(actor);
  const problem = passwordProblem(input.password, deps.passwordPolicy, input.username);
  if (problem) throw ValidationError.field('password', problem);
  const hardLimits = input.hardLimits ?? {};
  const hardErrors = checkHardLimits(input.limits, hardLimits);
  if (Object.keys(hardErrors).length) throw new ValidationError('hard limits are inconsistent', hardErrors);

  const now = deps.clock.now().toISOString();
  const reseller: Reseller = {
    id: `r${deps.newId()}`,
    username: input.username,
    email: input.email,
    status: 'active',
    limits: input.limits,
    hardLimits,
    features: resolveFeatures(input.features),
    preferences: { ...DEFAULT_PREFERENCES },
    used: {},
    createdAt: now,
    updatedAt: now,
  };
  await deps.resellers.create(reseller, {
    username: input.username,
    role: 'reseller',
    resellerId: reseller.id,
    locked: false,
    passwordHash: await deps.identity.hashForStorage(input.password),
  });
  await deps.identity.register(
    { username: input.username, role: 'reseller', resellerId: reseller.id, locked: false },
    input.password,
  );
  return { id: reseller.id, username: reseller.username };
}

export async function listResellers(deps: CoreDeps, actor: Principal, page: PageRequest): Promise<Page<ResellerView>> {
  requireOperator(actor);
  const out = await deps.resellers.list(page);
  return { items: out.items.map(resellerView), nextCursor: out.nextCursor };
}

export async function getReseller(deps: CoreDeps, actor: Principal, id: string): Promise<ResellerView> {
  requireOperator(actor);
  const r = await deps.resellers.get(id);
  if (!r) throw new NotFoundError('reseller not found');
  return resellerView(r);
}

export async function updateReseller(
  deps: CoreDeps,
  actor: Principal,
  id: string,
  input: UpdateResellerInput,
): Promise<ResellerView> {
  requireOperator(actor);
  // Limits merge per resource over what was read, written at the version read: two PATCHes of
  // different limits both take effect (the loser reads again and merges again).
  return reread(async () => {
    const read = await deps.resellers.getVersioned(id);
    if (!read) throw new NotFoundError('reseller not found');
    const current = read.reseller;
    const limits = input.limits ? { ...current.limits, ...input.limits } : undefined;
    const hardLimits = input.hardLimits ? { ...current.hardLimits, ...input.hardLimits } : undefined;
    const hardErrors = checkHardLimits(limits ?? current.limits, hardLimits ?? current.hardLimits);
    if (Object.keys(hardErrors).length) throw new ValidationError('hard limits are inconsistent', hardErrors);
    const updated = await deps.resellers.update(
      id,
      {
        email: input.email,
        limits,
        hardLimits,
        features: input.features ? resolveFeatures(input.features, current.features) : undefined,
        expectedVersion: read.version,
      },
      deps.clock.now(),
    );
    return resellerView(updated);
  });
}

/** Locking keeps everything and refuses new sign-ins; tokens already issued run out within their lifetime. */
export async function setResellerLocked(
  deps: CoreDeps,
  actor: Principal,
  id: string,
  locked: boolean,
): Promise<ResellerView> {
  requireOperator(actor);
  const current = await deps.resellers.get(id);
  if (!current) throw new NotFoundError('reseller not found');
  if ((current.status === 'locked') === locked) {
    throw new ConflictError(`reseller is already ${locked ? 'locked' : 'unlocked'}`, 'NO_CHANGE');
  }
  await deps.logins.setLocked(current.username, locked);
  await deps.identity.setLocked(current.username, locked);
  const updated = await deps.resellers.update(id, { status: locked ? 'locked' : 'active' }, deps.clock.now());
  return resellerView(updated);
}
