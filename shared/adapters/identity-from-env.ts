import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { systemClock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import type { LoginStore } from '../ports/reseller-repository';
import { CognitoIdentity } from './cognito/cognito-identity';
import { required, type Env } from './compose';
import { LocalIdentity } from './local/local-identity';
import { LocalIssuer } from './local/local-issuer';

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
