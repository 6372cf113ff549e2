import type { Principal, Role } from '../ports/identity';
import { scopesFromClaim, type Scope } from '../domain/scopes';

/** Claim names of a Cognito ID token; the local issuer uses the very same. */
export const CLAIMS = {
  username: 'cognito:username',
  groups: 'cognito:groups',
  resellerId: 'custom:resellerId',
} as const;

export const TOKEN_AUDIENCE_LOCAL = 'reseller-panel-local';

/**
 * The caller, from claims that an authorizer has already verified. API Gateway passes array claims
 * as the string "[a b]", a local verifier passes real arrays: both are read.
 * Returns undefined for claims that do not make a valid principal.
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal | undefined {
  if (!claims) return undefined;
  // An API client's access token (client credentials): Cognito's has client_id, scope and no
  // username; the local issuer's the same plus custom:resellerId. Never treated as a person.
  if (claims.token_use === 'access') {
    const clientId = claims.client_id;
    if (typeof clientId !== 'string' || !/^[\w-]{1,128}$/.test(clientId)) return undefined;
    const resellerId = claims[CLAIMS.resellerId];
    return {
      role: 'reseller',
      username: `client:${clientId}`,
      clientId,
      scopes: scopesFromClaim(claims.scope),
      ...(typeof resellerId === 'string' && resellerId !== '' ? { resellerId } : {}),
    };
  }
  const username = claims[CLAIMS.username];
  if (typeof username !== 'string' || username === '') return undefined;
  const raw = claims[CLAIMS.groups];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean)
      : [];
  const role: Role | undefined = groups.includes('operator')
    ? 'operator'
    : groups.includes('reseller')
      ? 'reseller'
      : undefined;
  if (!role) return undefined;
  if (role === 'reseller') {
    const resellerId = claims[CLAIMS.resellerId];
    if (typeof resellerId !== 'string' || resellerId === '') return undefined;
    return { role, username, resellerId };
  }
  return { role, username };
}

export function claimsFor(principal: Principal): Record<string, unknown> {
  return {
    [CLAIMS.username]: principal.username,
    [CLAIMS.groups]: [principal.role],
    ...(principal.resellerId ? { [CLAIMS.resellerId]: principal.resellerId } : {}),
    token_use: 'id',
  };
}

/** The claims of an API client's access token (local issuer): like Cognito's client-credentials token, plus the reseller. */
export function clientClaimsFor(clientId: string, resellerId: string, scopes: readonly Scope[]): Record<string, unknown> {
  return { client_id: clientId, scope: scopes.join(' '), token_use: 'access', [CLAIMS.resellerId]: resellerId };
}
