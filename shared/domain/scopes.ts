/**
 * The one catalogue of API scopes (issue 11, API clients). A route names the scopes it needs
 * (functions/http/route.ts `scopes`); a person's token (the reseller's password sign-in) holds all of
 * them, an API client's token only those it was created with (or narrowed to at POST /auth/token).
 * /openapi.json lists them as an enum and as the scopes of the oauth2 client-credentials scheme; on
 * AWS they are the scopes of the user pool's resource server (RESOURCE_SERVER/<scope>).
 */
export const SCOPES = {
  'account:read': 'read the account overview and the message log',
  'account:write': 'change language and design',
  'templates:read': 'read service templates, registration e-mails and personal fields',
  'templates:write': 'create, change and delete service templates and registration e-mails',
  'users:read': "read hosted users, their SSL certificates and the reseller's IP addresses",
  'users:write': 'create, change, lock, unlock and delete hosted users and their SSL certificates',
  'billing:read': 'read plans, billing accounts, the ledger and previews',
  'billing:write': 'set plans, subscribe users, record payments and adjustments, hold and act on accounts',
  'mail:read': 'read circulars, their recipients and the outbox',
  'mail:write': 'send circulars and registration e-mails',
  'stats:read': 'read disk and traffic statistics',
  'settings:read': 'read the index page, the help page and skins',
  'settings:write': 'change the index page, the help page and skins',
  'webhooks:read': 'read webhook endpoints and their deliveries',
  'webhooks:write': 'create, delete and replay webhook endpoints',
} as const satisfies Record<string, string>;

export type Scope = keyof typeof SCOPES;
export const SCOPE_NAMES = Object.keys(SCOPES) as [Scope, ...Scope[]];

/** The identifier of the Cognito resource server: a token's scope is `reseller-panel/users:read`. */
export const RESOURCE_SERVER = 'reseller-panel';

export const isScope = (s: string): s is Scope => Object.prototype.hasOwnProperty.call(SCOPES, s);

/**
 * The scopes of a verified `scope` claim (space-separated, RFC 6749 §3.3). Cognito writes them
 * as `reseller-panel/users:read`, the local issuer bare: both are read; anything else (another
 * resource server's scope, an unknown name) is dropped, so it can never grant anything.
 */
export function scopesFromClaim(claim: unknown): Scope[] {
  if (typeof claim !== 'string') return [];
  const out = new Set<Scope>();
  for (const part of claim.split(/\s+/).filter(Boolean)) {
    const bare = part.startsWith(`${RESOURCE_SERVER}/`) ? part.slice(RESOURCE_SERVER.length + 1) : part.includes('/') ? '' : part;
    if (isScope(bare)) out.add(bare);
  }
  return [...out];
}

/** A request's `scope` parameter against the scopes a client holds (RFC 6749 §3.3): the granted set, or the unknown/not held names. */
export function narrowScopes(held: readonly Scope[], requested: string | undefined): { granted: Scope[] } | { refused: string[] } {
  if (requested === undefined || requested.trim() === '') return { granted: [...held] };
  const names = [...new Set(requested.split(/\s+/).filter(Boolean))];
  const refused = names.filter((n) => !isScope(n) || !held.includes(n));
  if (refused.length) return { refused };
  return { granted: names as Scope[] };
}
