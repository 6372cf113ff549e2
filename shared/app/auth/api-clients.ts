import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/errors';
import { narrowScopes, type Scope } from '../../domain/scopes';
import type { ApiClientProvider, ApiClientRecord, ApiClientStore } from '../../ports/api-clients';
import type { Principal } from '../../ports/identity';
import type { CoreDeps } from '../deps';
import { resellerOf } from '../actor';

/** A reseller keeps at most this many API clients (each is a Cognito app client; the pool has a quota). */
export const MAX_API_CLIENTS = 25;

export type ApiClientDeps = Pick<CoreDeps, 'clock' | 'accountStatus'> & { apiClients: ApiClientStore; apiClientProvider: ApiClientProvider };

/** Only a person manages API clients: a client that could create clients could give itself any scope. */
function personOf(actor: Principal): string {
  if (actor.clientId) throw new ForbiddenError('API clients are managed by the reseller signed in, not by an API client');
  return resellerOf(actor);
}

export const apiClientView = (r: ApiClientRecord) => ({ clientId: r.clientId, name: r.name, scopes: r.scopes, createdAt: r.createdAt });

export async function createApiClient(deps: ApiClientDeps, actor: Principal, input: { name: string; scopes: Scope[] }) {
  const resellerId = personOf(actor);
  if ((await deps.apiClients.list(resellerId)).length >= MAX_API_CLIENTS) {
    throw new ConflictError(`a reseller may have ${MAX_API_CLIENTS} API clients; revoke one first`, 'TOO_MANY_CLIENTS');
  }
  const scopes = [...new Set(input.scopes)];
  const issued = await deps.apiClientProvider.register({ resellerId, name: input.name, scopes });
  const record: ApiClientRecord = {
    clientId: issued.clientId,
    resellerId,
    name: input.name,
    scopes,
    createdAt: deps.clock.now().toISOString(),
    ...(issued.secretHash ? { secretHash: issued.secretHash } : {}),
  };
  try {
    await deps.apiClients.put(record);
  } catch (e) {
    // No record, no client: the OAuth client must not outlive a failed write.
    await deps.apiClientProvider.remove(issued.clientId).catch(() => undefined);
    throw e;
  }
  return { ...apiClientView(record), clientSecret: issued.clientSecret };
}

export async function listApiClients(deps: ApiClientDeps, actor: Principal) {
  const items = await deps.apiClients.list(personOf(actor));
  return { items: items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientId.localeCompare(b.clientId)).map(apiClientView) };
}

/**
 * Revokes a client: its records go first (one transaction), so the gate refuses its tokens from
 * the next request on; then the OAuth client. Another reseller's client is a 404 like a missing one.
 */
export async function revokeApiClient(deps: ApiClientDeps, actor: Principal, clientId: string): Promise<void> {
  const resellerId = personOf(actor);
  const existing = await deps.apiClients.get(resellerId, clientId);
  if (!existing || !(await deps.apiClients.remove(resellerId, clientId))) throw new NotFoundError('no such API client');
  await deps.apiClientProvider.remove(clientId);
}

/** Why a token request failed, as RFC 6749 §5.2 names it; `status` 400 or 401. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    readonly status: 400 | 401 = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }
}

/**
 * The client credentials grant (RFC 6749 §4.4): the product's record of the client first (unknown
 * or revoked: invalid_client; its reseller locked or gone: invalid_grant), the requested scopes
 * against the client's, then the provider checks the secret and signs.
 */
export async function issueClientToken(
  deps: ApiClientDeps,
  input: { clientId: string; clientSecret: string; scope?: string },
): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
  const record = await deps.apiClients.lookup(input.clientId);
  if (!record) throw new OAuthError('invalid_client', 'unknown client or wrong secret');
  const narrowed = narrowScopes(record.scopes, input.scope);
  if ('refused' in narrowed) throw new OAuthError('invalid_scope', `not a scope of this client: ${narrowed.refused.join(' ')}`);
  const token = await deps.apiClientProvider.issueToken(record, input.clientSecret, narrowed.granted);
  if (token === 'invalid_client') throw new OAuthError('invalid_client', 'unknown client or wrong secret');
  if (token === 'invalid_scope') throw new OAuthError('invalid_scope', 'a requested scope is not allowed for this client');
  // Checked after the secret, so the state of an account is told only to the holder of its client's secret.
  const status = await deps.accountStatus.statusOf(record.resellerId);
  if (status !== 'active') throw new OAuthError('invalid_grant', status === 'locked' ? 'the account is locked by the operator' : 'the account no longer exists');
  return { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope: token.scopes.join(' ') };
}
