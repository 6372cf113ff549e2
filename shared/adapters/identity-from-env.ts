import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { systemClock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import type { LoginStore } from '../ports/reseller-repository';
import { CognitoIdentity } from './cognito/cognito-identity';
import { required, type Env } from './compose';
import { LocalIdentity } from './local/local-identity';
import { LocalIssuer } from './local/local-issuer';
import type { Clock } from '../ports/clock';
import type { ApiClientProvider } from '../ports/api-clients';
import { LocalApiClients } from './local/local-api-clients';
import { CognitoApiClients } from './cognito/cognito-api-clients';

/**
 * Cognito on AWS, the embedded issuer locally (IDENTITY_MODE=local). Only the identity function and
 * the local runtime import this, so the Cognito client stays out of the other bundles.
 * Tokens follow real time even when the dev clock was moved: they are about sessions, not billing.
 */
export async function identityFromEnv(env: Env, logins: LoginStore): Promise<Identity> {
  if ((env.IDENTITY_MODE ?? 'cognito') === 'local') {
    const issuer = await LocalIssuer.loadOrCreate(required(env, 'LOCAL_ISSUER_KEY_FILE'), Number(env.TOKEN_TTL_SECONDS ?? 3600));
    return new LocalIdentity(logins, issuer, systemClock);
  }
  return new CognitoIdentity(new CognitoIdentityProviderClient({}), required(env, 'USER_POOL_ID'), required(env, 'USER_POOL_CLIENT_ID'));
}

/**
 * API clients as OAuth clients: Cognito app clients and the user pool domain's /oauth2/token on AWS
 * (COGNITO_DOMAIN_URL), the embedded issuer with keyed secret hashes locally (the key next to the
 * issuer's: LOCAL_CLIENT_SECRET_KEY_FILE, else client-secret-key in the issuer key's directory).
 * Client tokens follow real time, like sign-in tokens.
 */
export async function apiClientsFromEnv(env: Env, _clock: Clock): Promise<ApiClientProvider> {
  if ((env.IDENTITY_MODE ?? 'cognito') === 'local') {
    const issuerFile = required(env, 'LOCAL_ISSUER_KEY_FILE');
    const issuer = await LocalIssuer.loadOrCreate(issuerFile, Number(env.TOKEN_TTL_SECONDS ?? 3600));
    const keyFile = env.LOCAL_CLIENT_SECRET_KEY_FILE || issuerFile.replace(/[^/\\]+$/, 'client-secret-key');
    return LocalApiClients.loadOrCreate(keyFile, issuer, systemClock);
  }
  return new CognitoApiClients(new CognitoIdentityProviderClient({}), required(env, 'USER_POOL_ID'), required(env, 'COGNITO_DOMAIN_URL'));
}
