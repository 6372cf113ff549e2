import { AccountLockedError, UnauthorizedError } from '../../domain/errors';
import type { ApiClientStore } from '../../ports/api-clients';
import type { Principal } from '../../ports/identity';
import type { CoreDeps } from '../deps';

/**
 * Every request of a reseller passes here first: a locked account is refused (403 ACCOUNT_LOCKED)
 * whatever token it still holds, and a token of a reseller that is gone is no token (401). Tokens
 * live an hour; without this, a lock would only stop new sign-ins. The operator is not gated.
 *
 * An API client's token is also checked against the client's record (one more consistent read):
 * a revoked client is refused at once (401), and the reseller comes from that record, which must
 * agree with the token's claim where it has one (the local issuer's tokens; Cognito's
 * client-credentials tokens carry none). Returns the caller with the reseller settled.
 */
export async function assertAccountOpen(
  deps: Pick<CoreDeps, 'accountStatus'> & { apiClients?: Pick<ApiClientStore, 'lookup'> },
  actor: Principal,
): Promise<Principal> {
  if (actor.role !== 'reseller') return actor;
  let caller = actor;
  if (actor.clientId) {
    if (!deps.apiClients) throw new UnauthorizedError('API client tokens are not accepted here');
    const client = await deps.apiClients.lookup(actor.clientId);
    if (!client) throw new UnauthorizedError('this API client was revoked');
    if (actor.resellerId && actor.resellerId !== client.resellerId) throw new UnauthorizedError('the token does not match its client');
    // The token's scopes can only narrow the client's current ones, never widen them.
    caller = { ...actor, resellerId: client.resellerId, scopes: (actor.scopes ?? []).filter((s) => client.scopes.includes(s)) };
  }
  if (!caller.resellerId) throw new UnauthorizedError('the token names no reseller');
  const status = await deps.accountStatus.statusOf(caller.resellerId);
  if (status === undefined) throw new UnauthorizedError('this account no longer exists');
  if (status === 'locked') throw new AccountLockedError('this account is locked by the operator');
  return caller;
}
