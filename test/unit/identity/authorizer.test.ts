/**
 * The HTTP API's token check on AWS (functions/http/authorizer.ts), against a key pair of the test's
 * own standing in for the user pool's JWKS: which Cognito tokens it passes on, and which not.
 */
import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { verifyCognitoToken } from '../../../functions/http/authorizer';
import { principalFromClaims } from '../../../shared/adapters/claims';

const ISSUER = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_pool';
const CONSOLE = 'consoleclient';

const setup = (async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const cfg = { issuer: ISSUER, consoleClientId: CONSOLE, keys: createLocalJWKSet({ keys: [jwk] }) };
  const sign = (claims: JWTPayload, opts: { issuer?: string; exp?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(opts.issuer ?? ISSUER)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600)
      .sign(privateKey);
  return { cfg, sign };
})();

describe('token authorizer', () => {
  it("passes the console's ID tokens on, with the claims as API Gateway gives them", async () => {
    const { cfg, sign } = await setup;
    const claims = await verifyCognitoToken(await sign({ token_use: 'id', aud: CONSOLE, 'cognito:username': 'acme', 'cognito:groups': ['reseller'], 'custom:resellerId': 'r1' }), cfg);
    expect(claims).toMatchObject({ 'cognito:username': 'acme', 'cognito:groups': '[reseller]' });
    expect(principalFromClaims(claims)).toEqual({ role: 'reseller', username: 'acme', resellerId: 'r1' });
  });

  it("passes an API client's access token on: a client principal with its scopes", async () => {
    const { cfg, sign } = await setup;
    const claims = await verifyCognitoToken(await sign({ token_use: 'access', client_id: 'apiclient1', sub: 'apiclient1', scope: 'reseller-panel/users:read' }), cfg);
    expect(principalFromClaims(claims)).toEqual({ role: 'reseller', username: 'client:apiclient1', clientId: 'apiclient1', scopes: ['users:read'] });
  });

  it('refuses other audiences, the console client\'s access tokens, foreign scopes, other issuers, expired and forged tokens', async () => {
    const { cfg, sign } = await setup;
    const refused = [
      await sign({ token_use: 'id', aud: 'someoneelse', 'cognito:username': 'acme', 'cognito:groups': ['operator'] }),
      await sign({ token_use: 'access', client_id: CONSOLE, scope: 'aws.cognito.signin.user.admin', 'cognito:groups': ['operator'] }),
      await sign({ token_use: 'access', client_id: 'apiclient1', scope: 'other-api/users:read' }),
      await sign({ token_use: 'access', client_id: 'apiclient1', scope: 'reseller-panel/users:read' }, { issuer: 'https://evil.example' }),
      await sign({ token_use: 'access', client_id: 'apiclient1', scope: 'reseller-panel/users:read' }, { exp: Math.floor(Date.now() / 1000) - 10 }),
      await sign({ token_use: 'refresh', client_id: 'apiclient1', scope: 'reseller-panel/users:read' }),
    ];
    for (const t of refused) expect(await verifyCognitoToken(t, cfg)).toBeUndefined();
    const good = await sign({ token_use: 'id', aud: CONSOLE, 'cognito:username': 'acme', 'cognito:groups': ['reseller'] });
    const [h, p] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'cognito:groups': ['operator'] })).toString('base64url')}.${good.split('.')[2]}`;
    expect(await verifyCognitoToken(forged, cfg)).toBeUndefined();
    expect(await verifyCognitoToken('not-a-jwt', cfg)).toBeUndefined();
  });
});
