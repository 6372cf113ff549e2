import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { RESOURCE_SERVER } from '../../shared/domain/scopes';

/**
 * The HTTP API's authorizer on AWS (a Lambda REQUEST authorizer, simple responses). API Gateway's
 * JWT authorizer checks a token's audience (`aud`, or an access token's `client_id`) against a fixed
 * list, so it could never accept the app clients the identity function creates for API clients at
 * run time. This one verifies a Cognito token of the pool (signature against its JWKS, issuer,
 * expiry) and accepts:
 *  - ID tokens of the console's app client (`aud`): a person, as before;
 *  - access tokens (`token_use: access`) of any other app client whose `scope` names this product's
 *    resource server: an API client (the account gate then checks its record on every request).
 * It always answers isAuthorized: true and passes the verified claims, or none: the handler answers
 * 401 in the API's own error format when a protected route gets no claims (a denial here would be
 * API Gateway's bare 403). Results are cached per Authorization header for a few minutes; revocation
 * does not depend on that cache (the gate reads the client's record).
 */
export interface VerifierConfig {
  issuer: string;
  consoleClientId: string;
  keys: JWTVerifyGetKey;
}

/** Verified claims as API Gateway passes them (every value a string), or undefined. */
export async function verifyCognitoToken(token: string, cfg: VerifierConfig): Promise<Record<string, string> | undefined> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, cfg.keys, { issuer: cfg.issuer, algorithms: ['RS256'], requiredClaims: ['exp', 'iat', 'token_use'] }));
  } catch {
    return undefined;
  }
  if (payload.token_use === 'id') {
    if (payload.aud !== cfg.consoleClientId) return undefined;
  } else if (payload.token_use === 'access') {
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (typeof payload.client_id !== 'string' || payload.client_id === cfg.consoleClientId) return undefined;
    if (!scopes.some((s) => s.startsWith(`${RESOURCE_SERVER}/`))) return undefined;
  } else {
    return undefined;
  }
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
}

let config: VerifierConfig | undefined;
function configFromEnv(): VerifierConfig {
  const region = process.env.AWS_REGION;
  const pool = process.env.USER_POOL_ID;
  const client = process.env.USER_POOL_CLIENT_ID;
  if (!region || !pool || !client) throw new Error('AWS_REGION, USER_POOL_ID and USER_POOL_CLIENT_ID are required');
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool}`;
  return { issuer, consoleClientId: client, keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)) };
}

/** The verified claims, flat (as the JWT authorizer passes them), plus `principal` for the access log. */
type Result = APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>;

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<Result> {
  config ??= configFromEnv();
  const m = /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '');
  const claims = m ? await verifyCognitoToken(m[1] as string, config) : undefined;
  return { isAuthorized: true, context: claims ? { ...claims, principal: claims['cognito:username'] ?? `client:${claims.client_id}` } : {} };
}
