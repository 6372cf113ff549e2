import { CreateUserPoolClientCommand, DeleteUserPoolClientCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { RESOURCE_SERVER, scopesFromClaim, type Scope } from '../../domain/scopes';
import type { ApiClientProvider, ApiClientRecord, ClientToken, IssuedClient, TokenRefusal } from '../../ports/api-clients';

/** The lifetime of an API client's access token (Cognito's default; 5 minutes .. 1 day allowed). */
export const CLIENT_TOKEN_MINUTES = 60;

/** Cognito's ClientName allows [\w\s+=,.@-]{1,128}: the reseller and the name, with anything else dropped. */
export const cognitoClientName = (resellerId: string, name: string) =>
  `rp-${resellerId}-${name.replace(/[^\w\s+=,.@-]/g, '_')}`.slice(0, 128);

export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; json(): Promise<unknown> }>;

/**
 * API clients on AWS: one Cognito app client per API client (client_credentials only, a generated
 * secret that Cognito keeps and the product never stores, the resource server's scopes), tokens
 * from the user pool domain's /oauth2/token. The product's records (clientId → reseller, scopes)
 * stay in the table: the gate checks them on every request, so a revoked client is refused at once
 * even while a token Cognito issued before is still within its hour.
 */
export class CognitoApiClients implements ApiClientProvider {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    /** https://<prefix>.auth.<region>.amazoncognito.com (the user pool domain). */
    private readonly domainUrl: string,
    private readonly fetchFn: Fetch = fetch as unknown as Fetch,
  ) {}

  async register(input: { resellerId: string; name: string; scopes: readonly Scope[] }): Promise<IssuedClient> {
    const out = await this.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.userPoolId,
        ClientName: cognitoClientName(input.resellerId, input.name),
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: input.scopes.map((s) => `${RESOURCE_SERVER}/${s}`),
        SupportedIdentityProviders: ['COGNITO'],
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: CLIENT_TOKEN_MINUTES,
        TokenValidityUnits: { AccessToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      }),
    );
    const clientId = out.UserPoolClient?.ClientId;
    const clientSecret = out.UserPoolClient?.ClientSecret;
    if (!clientId || !clientSecret) throw new Error('CreateUserPoolClient answered without a client id and secret');
    return { clientId, clientSecret };
  }

  async remove(clientId: string): Promise<void> {
    try {
      await this.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: this.userPoolId, ClientId: clientId }));
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
  }

  async issueToken(record: ApiClientRecord, secret: string, scopes: readonly Scope[]): Promise<ClientToken | TokenRefusal> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: record.clientId, scope: scopes.map((s) => `${RESOURCE_SERVER}/${s}`).join(' ') });
    const res = await this.fetchFn(`${this.domainUrl.replace(/\/$/, '')}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(record.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; scope?: string; error?: string };
    if (res.status === 200 && typeof body.access_token === 'string') {
      const granted = body.scope ? scopesFromClaim(body.scope) : [...scopes];
      return { accessToken: body.access_token, expiresIn: Number(body.expires_in ?? CLIENT_TOKEN_MINUTES * 60), scopes: granted };
    }
    if (res.status >= 400 && res.status < 500) return body.error === 'invalid_scope' ? 'invalid_scope' : 'invalid_client';
    throw new Error(`the Cognito token endpoint answered ${res.status}`);
  }
}
