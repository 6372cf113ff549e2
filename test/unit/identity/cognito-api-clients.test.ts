/**
 * API clients on AWS. No local stand-in speaks Cognito's client credentials (cognito-local has no
 * /oauth2/token: jagregory/cognito-local#375 is open, its pull requests unmerged), so the adapter is
 * tested against aws-sdk-client-mock (CreateUserPoolClient / DeleteUserPoolClient) and a stub of
 * the domain's token endpoint: what it sends, and how it reads each answer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoApiClients, cognitoClientName, type Fetch } from '../../../shared/adapters/cognito/cognito-api-clients';
import { principalFromClaims } from '../../../shared/adapters/claims';
import type { ApiClientRecord } from '../../../shared/ports/api-clients';

const cognito = mockClient(CognitoIdentityProviderClient);
beforeEach(() => cognito.reset());

const record: ApiClientRecord = { clientId: 'abc123', resellerId: 'r1', name: 'shop', scopes: ['users:read', 'users:write'], createdAt: '2026-01-01T00:00:00.000Z' };

function stubFetch(status: number, body: unknown) {
  const calls: { url: string; init: Parameters<Fetch>[1] }[] = [];
  const fn: Fetch = async (url, init) => {
    calls.push({ url, init });
    return { status, json: async () => body };
  };
  return { fn, calls };
}

const adapter = (fetchFn?: Fetch) =>
  new CognitoApiClients(new CognitoIdentityProviderClient({ region: 'eu-central-1' }), 'pool-1', 'https://rp.auth.eu-central-1.amazoncognito.com/', fetchFn);

describe('CognitoApiClients', () => {
  it('creates an app client with a secret, client_credentials only and the resource server scopes', async () => {
    cognito.on(CreateUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'newid', ClientSecret: 's3cret' } });
    const issued = await adapter().register({ resellerId: 'r1', name: 'My shop!', scopes: ['users:read', 'billing:write'] });
    expect(issued).toEqual({ clientId: 'newid', clientSecret: 's3cret' });
    const input = cognito.commandCalls(CreateUserPoolClientCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      UserPoolId: 'pool-1',
      ClientName: 'rp-r1-My shop_',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['reseller-panel/users:read', 'reseller-panel/billing:write'],
    });
    expect(issued).not.toHaveProperty('secretHash'); // Cognito keeps the secret; the table never sees it
  });

  it('fails loudly when Cognito answers without a secret', async () => {
    cognito.on(CreateUserPoolClientCommand).resolves({ UserPoolClient: { ClientId: 'newid' } });
    await expect(adapter().register({ resellerId: 'r1', name: 'x', scopes: ['users:read'] })).rejects.toThrow(/secret/);
  });

  it('deletes the app client; one already gone is no error', async () => {
    cognito.on(DeleteUserPoolClientCommand).resolvesOnce({}).rejectsOnce(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    await adapter().remove('abc123');
    await adapter().remove('abc123');
    expect(cognito.commandCalls(DeleteUserPoolClientCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'pool-1', ClientId: 'abc123' },
      { UserPoolId: 'pool-1', ClientId: 'abc123' },
    ]);
  });

  it("asks the domain's /oauth2/token with HTTP Basic and the prefixed scopes", async () => {
    const { fn, calls } = stubFetch(200, { access_token: 'tok', expires_in: 3600, token_type: 'Bearer', scope: 'reseller-panel/users:read' });
    const out = await adapter(fn).issueToken(record, 'the-secret', ['users:read']);
    expect(out).toEqual({ accessToken: 'tok', expiresIn: 3600, scopes: ['users:read'] });
    expect(calls[0]!.url).toBe('https://rp.auth.eu-central-1.amazoncognito.com/oauth2/token');
    expect(calls[0]!.init.headers.authorization).toBe(`Basic ${Buffer.from('abc123:the-secret').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(calls[0]!.init.body))).toEqual({ grant_type: 'client_credentials', client_id: 'abc123', scope: 'reseller-panel/users:read' });
  });

  it("maps Cognito's refusals to invalid_client / invalid_scope, and a 5xx to an error", async () => {
    expect(await adapter(stubFetch(400, { error: 'invalid_client' }).fn).issueToken(record, 'x', ['users:read'])).toBe('invalid_client');
    expect(await adapter(stubFetch(400, { error: 'invalid_scope' }).fn).issueToken(record, 'x', ['users:read'])).toBe('invalid_scope');
    expect(await adapter(stubFetch(401, {}).fn).issueToken(record, 'x', ['users:read'])).toBe('invalid_client');
    await expect(adapter(stubFetch(503, {}).fn).issueToken(record, 'x', ['users:read'])).rejects.toThrow(/503/);
  });

  it('keeps app client names within what Cognito accepts', () => {
    expect(cognitoClientName('r1', 'ä/ü<script>')).toMatch(/^[\w\s+=,.@-]{1,128}$/);
    expect(cognitoClientName('r1', 'x'.repeat(200))).toHaveLength(128);
  });
});

describe("a Cognito client-credentials token's claims", () => {
  it('make an API client principal with its scopes, never a person', () => {
    // As API Gateway's JWT authorizer passes them: every claim a string.
    const p = principalFromClaims({ sub: 'abc123', client_id: 'abc123', token_use: 'access', scope: 'reseller-panel/users:read other-server/users:write aws.cognito.signin.user.admin', iss: 'x' });
    expect(p).toEqual({ role: 'reseller', username: 'client:abc123', clientId: 'abc123', scopes: ['users:read'] });
    expect(p?.resellerId).toBeUndefined(); // settled by the gate from the client's record
  });

  it('a bare local scope is read; a forged operator group on an access token is ignored', () => {
    const p = principalFromClaims({ client_id: 'abc', token_use: 'access', scope: 'billing:read', 'cognito:groups': '[operator]', 'custom:resellerId': 'r9' });
    expect(p).toEqual({ role: 'reseller', username: 'client:abc', clientId: 'abc', scopes: ['billing:read'], resellerId: 'r9' });
  });
});
