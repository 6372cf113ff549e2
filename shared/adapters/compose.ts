import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { passwordPolicyFromEnv } from '../domain/password';
import type { CoreDeps } from '../app/deps';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import { createDocumentClient, localClientConfig } from './dynamodb/client';
import { DynamoBillingRepository } from './dynamodb/billing-repository';
import { DynamoLoginStore } from './dynamodb/login-store';
import { DynamoMessageLog } from './dynamodb/message-log';
import { DynamoResellerRepository } from './dynamodb/reseller-repository';
import type { ControlPanelPorts } from '../app/controlpanel/deps';
import { controlPanelFromEnv } from './compose-controlpanel';

export type AppDeps = CoreDeps & ControlPanelPorts & {
  billing: DynamoBillingRepository;
  db: DynamoDBDocumentClient;
  tableName: string;
  /** DynamoDB requests sent by this process: benchmarks read it to count round trips. */
  roundTrips: { count: number };
};

export type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

/**
 * The composition root: every adapter is built here from the environment, once per process
 * (a Lambda cold start or the local server). Use cases only ever see the ports.
 */
export async function composeFromEnv(env: Env, overrides: { clock?: Clock; identity?: Identity } = {}): Promise<AppDeps> {
  const tableName = required(env, 'TABLE_NAME');
  const db = createDocumentClient(env.DYNAMODB_ENDPOINT ? localClientConfig(env.DYNAMODB_ENDPOINT) : {});
  const roundTrips = { count: 0 };
  db.middlewareStack.add(
    (next) => async (args) => {
      roundTrips.count++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRoundTrips' },
  );
  const clock = overrides.clock ?? systemClock;
  const logins = new DynamoLoginStore(db, tableName);
  // Tokens follow real time even when the dev clock has been moved: they are about sessions, not billing.
  const identity = overrides.identity ?? (await identityFromEnv(env, logins, systemClock));
  return {
    db,
    tableName,
    roundTrips,
    clock,
    identity,
    logins,
    resellers: new DynamoResellerRepository(db, tableName),
    messages: new DynamoMessageLog(db, tableName),
    billing: new DynamoBillingRepository(db, tableName),
    passwordPolicy: passwordPolicyFromEnv(env),
    randomBytes: (n) => randomBytes(n),
    newId: () => randomUUID().replace(/-/g, '').slice(0, 20),
    ...controlPanelFromEnv(env, db, tableName),
  };
}

async function identityFromEnv(env: Env, logins: DynamoLoginStore, clock: Clock): Promise<Identity> {
  if ((env.IDENTITY_MODE ?? 'cognito') === 'local') {
    const { LocalIssuer } = await import('./local/local-issuer');
    const { LocalIdentity } = await import('./local/local-identity');
    const issuer = await LocalIssuer.loadOrCreate(required(env, 'LOCAL_ISSUER_KEY_FILE'), Number(env.TOKEN_TTL_SECONDS ?? 3600));
    return new LocalIdentity(logins, issuer, clock);
  }
  const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  const { CognitoIdentity } = await import('./cognito/cognito-identity');
  return new CognitoIdentity(new CognitoIdentityProviderClient({}), required(env, 'USER_POOL_ID'), required(env, 'USER_POOL_CLIENT_ID'));
}
