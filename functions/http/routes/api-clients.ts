import * as z from 'zod';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiClient, issueClientToken, listApiClients, OAuthError, revokeApiClient } from '../../../shared/app/auth/api-clients';
import { isScope, SCOPE_NAMES, type Scope } from '../../../shared/domain/scopes';
import { PEOPLE_ONLY, reply, route } from '../route';
import { apiClientsView, clientTokenView, createdApiClientView, oauthErrorView } from '../responses';
import { idParam } from './common';

const scopeList = z
  .array(z.string({ error: 'must be a list of scope names' }).meta({ enum: [...SCOPE_NAMES] }), { error: 'must be a list of scope names' })
  .min(1, { error: 'needs at least one scope' })
  .max(SCOPE_NAMES.length * 2, { error: 'too many scopes' })
  // One check on the whole list, so the error names `scopes` and every unknown name at once.
  .refine((v) => v.every(isScope), {
    error: (iss) => `unknown scope: ${(iss.input as string[]).filter((s) => !isScope(s)).join(', ')} (known: ${SCOPE_NAMES.join(', ')})`,
  })
  .transform((v) => v as Scope[]);

const clientIdParam = idParam('clientId', /^[a-z0-9]{1,128}$/, 'an API client id');

/** `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1), or undefined. */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const clientId = decodeURIComponent(text.slice(0, colon).replace(/\+/g, ' '));
    const clientSecret = decodeURIComponent(text.slice(colon + 1).replace(/\+/g, ' '));
    return clientSecret ? { clientId, clientSecret } : undefined;
  } catch {
    return undefined;
  }
}

const TOKEN_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthReply(e: OAuthError) {
  return reply(e.status, { error: e.error, error_description: e.description }, {
    ...TOKEN_HEADERS,
    ...(e.status === 401 ? { 'www-authenticate': 'Basic realm="reseller-panel", charset="UTF-8"' } : {}),
  });
}

function formOf(event: APIGatewayProxyEventV2): URLSearchParams {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (raw.length > 8192) throw new OAuthError('invalid_request', 'the body is too large');
  const form = new URLSearchParams(raw);
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) throw new OAuthError('invalid_request', `${name} is given more than once`);
  }
  return form;
}

export const apiClientRoutes = [
  route({
    method: 'POST',
    path: '/auth/token',
    access: 'public',
    tag: 'auth',
    lambda: 'identity',
    rawBody: true,
    summary:
      'OAuth 2.0 client credentials grant (RFC 6749 §4.4): form-encoded grant_type=client_credentials and an optional scope, the client authenticated with HTTP Basic; errors as RFC 6749 §5.2',
    status: 200,
    response: clientTokenView,
    otherResponses: {
      400: { description: 'RFC 6749 §5.2: invalid_request, invalid_grant (the account is locked or gone), unsupported_grant_type, invalid_scope', schema: oauthErrorView },
      401: { description: 'RFC 6749 §5.2: invalid_client (no or bad HTTP Basic credentials, an unknown or revoked client); with WWW-Authenticate', schema: oauthErrorView },
    },
    handle: async ({ deps, event }) => {
      try {
        const form = formOf(event);
        if (form.has('client_secret')) throw new OAuthError('invalid_request', 'authenticate the client with HTTP Basic, not in the body');
        const grant = form.get('grant_type');
        if (!grant) throw new OAuthError('invalid_request', 'grant_type is required');
        if (grant !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'only grant_type=client_credentials is supported');
        const creds = basicCredentials(event.headers?.authorization);
        if (!creds) throw new OAuthError('invalid_client', 'authenticate the client with HTTP Basic (client id and secret)');
        const bodyId = form.get('client_id');
        if (bodyId !== null && bodyId !== creds.clientId) throw new OAuthError('invalid_request', 'client_id differs from the authenticated client');
        const token = await issueClientToken(deps, { ...creds, scope: form.get('scope') ?? undefined });
        return reply(200, token, TOKEN_HEADERS);
      } catch (e) {
        if (e instanceof OAuthError) return oauthReply(e);
        throw e;
      }
    },
  }),
  route({
    method: 'POST',
    path: '/api-clients',
    access: 'reseller',
    scopes: PEOPLE_ONLY,
    idempotent: true,
    tag: 'api-clients',
    lambda: 'identity',
    summary: 'Create an API client with scopes; the answer carries its secret, shown this once',
    body: z.strictObject({
      name: z
        .string({ error: 'must be a string' })
        .trim()
        .min(1, { error: 'is required' })
        .max(64, { error: 'must be at most 64 characters' })
        .regex(/^[^\p{Cc}]+$/u, { error: 'must not contain control characters' }),
      scopes: scopeList,
    }),
    example: { name: 'shop', scopes: ['users:read', 'users:write'] },
    status: 201,
    response: createdApiClientView,
    handle: ({ deps, actor, body }) => createApiClient(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/api-clients',
    access: 'reseller',
    scopes: PEOPLE_ONLY,
    tag: 'api-clients',
    lambda: 'identity',
    summary: "The reseller's API clients (never their secrets)",
    status: 200,
    response: apiClientsView,
    handle: ({ deps, actor }) => listApiClients(deps, actor),
  }),
  route({
    method: 'DELETE',
    path: '/api-clients/{clientId}',
    access: 'reseller',
    scopes: PEOPLE_ONLY,
    tag: 'api-clients',
    lambda: 'identity',
    params: clientIdParam,
    summary: 'Revoke an API client: its tokens are refused from the next request on',
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await revokeApiClient(deps, actor, params.clientId as string);
      return undefined;
    },
  }),
];
