import { AccountLockedError, UnauthorizedError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { CoreDeps } from '../deps';

/**
 * Every request of a reseller passes here first: a locked account is refused (403 ACCOUNT_LOCKED)
 * whatever token it still holds, and a token of a reseller that is gone is no token (401). Tokens
 * live an hour; without this, a lock would only stop new sign-ins. The operator is not gated.
 */
export async function assertAccountOpen(deps: Pick<CoreDeps, 'accountStatus'>, actor: Principal): Promise<void> {
  if (actor.role !== 'reseller') return;
  if (!actor.resellerId) throw new UnauthorizedError('the token names no reseller');
  const status = await deps.accountStatus.statusOf(actor.resellerId);
  if (status === undefined) throw new UnauthorizedError('this account no longer exists');
  if (status === 'locked') throw new AccountLockedError('this account is locked by the operator');
}
