import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { passwordPolicyFromEnv } from '../domain/password';
import type { CoreDeps } from '../app/deps';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import { tableFromEnv } from './dynamodb/table-from-env';
import { DynamoBillingRepository } from './dynamodb/billing-repository';
import { DynamoSkinRepository } from './dynamodb/skin-repository';
import { DynamoLoginStore } from './dynamodb/login-store';
import { DynamoLoginThrottle } from './dynamodb/login-throttle';
import { DynamoAccountStatus } from './dynamodb/account-status';
import { passwordHashCostFromEnv } from './local/password-hash';
import { loginLimitsFromEnv } from '../domain/login-throttle';
import { DynamoMessageLog } from './dynamodb/message-log';
import { DynamoResellerRepository } from './dynamodb/reseller-repository';
import { DynamoUsageRepository } from './dynamodb/usage-repository';
import type { ControlPanelPorts } from '../app/controlpanel/deps';
import { controlPanelFromEnv } from './compose-controlpanel';
import type { ProvisioningPorts } from '../app/provisioning/deps';
import type { Provisioner } from '../ports/provisioner';
import type { KeyCipher } from '../ports/key-cipher';
import type { Mailer, SentMailLookup } from '../ports/mailer';
import type { PrivateKeyStore } from '../ports/private-key-store';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../domain/provisioning/status';
import { DynamoProvisioningRepository } from './dynamodb/provisioning-repository';
import { DynamoServerRepository } from './dynamodb/server-repository';
import { DynamoRunStore } from './dynamodb/run-store';
import type { WorkQueue } from '../ports/work-queue';
import type { RunStore } from '../ports/runs';
import type { IdempotencyStore } from '../ports/idempotency';
import { DynamoIdempotencyStore } from './dynamodb/idempotency-store';
import type { ApiClientProvider, ApiClientStore } from '../ports/api-clients';
import { DynamoApiClientStore } from './dynamodb/api-client-store';
import type { WebhookStore } from '../ports/webhooks';
import { announceWebhookEvents, DynamoWebhookStore } from './dynamodb/webhook-store';
import { WebhookSubscriptions } from './dynamodb/webhook-subscriptions';
import { unitOfWork } from './dynamodb/unit-of-work';
import type { WebhookSender } from './webhook-http';
import { webhookSettingsFromEnv, type WebhookSettings } from '../app/webhooks/deps';
import type { Metrics } from '../ports/metrics';
import { metricsFromEnv } from './metrics/emf-metrics';

export type AppDeps = CoreDeps & ControlPanelPorts & ProvisioningPorts & {
  /**
   * The Provisioner, when this process was given one (the local runtime: the local agent). The
   * provisioning worker job builds the SSM one itself (functions/jobs/provisioning-worker.ts), so
   * the SSM client stays out of the other bundles.
   */
  provisioner?: Provisioner;
  /** Retry delays of failed pushes: PROVISION_RETRY_BASE_SECONDS (30), PROVISION_RETRY_MAX_SECONDS (3600). */
  provisioningBackoff: BackoffPolicy;
  billing: DynamoBillingRepository;
  skins: DynamoSkinRepository;
  /** Usage figures of the daily usage job (Stats pages, billing feed). */
  usage: DynamoUsageRepository;
  /** $DATA_DIR of the embedded runtime (its servers' roots live under it); unset on AWS. */
  localDataDir?: string;
  /** Background work (SQS on AWS; the local runtime injects its durable queue in DynamoDB Local). */
  queue: WorkQueue;
  /** Runs of background work and their exact counts (GET /operator/runs). */
  runs: RunStore;
  /** Idempotency-Key records of the POSTs that create or charge (functions/http/router.ts). */
  idempotency: IdempotencyStore;
  /** API clients' records (every function: the gate checks a client token's record on each request). */
  apiClients: ApiClientStore;
  /** Where API clients are OAuth clients (Cognito app clients; the local issuer): the identity function only. */
  apiClientProvider: ApiClientProvider;
  /** Webhook endpoints, events, deliveries (docs/webhooks.md); the sender checks targets after DNS (SSRF). */
  webhooks: WebhookStore;
  webhookSender: WebhookSender;
  webhookSettings: WebhookSettings;
  /** Custom metrics (EMF on AWS), e.g. AccountsNotBilled of the billing run. */
  metrics: Metrics;
  db: DynamoDBDocumentClient;
  tableName: string;
  /** DynamoDB requests sent by this process: benchmarks read it to count round trips. */
  roundTrips: { count: number; byCommand: Record<string, number> };
};

export type Env = Record<string, string | undefined>;

export function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

/**
 * The composition root: every adapter is built here from the environment, once per process
 * (a Lambda cold start or the local server). Use cases only ever see the ports.
 */
export type IdentityFactory = (env: Env, logins: DynamoLoginStore) => Promise<Identity>;

/**
 * The parts that bring a heavy client (Cognito, SES, KMS): each Lambda entry passes only those its
 * routes need (functions/http/lambdas.ts), the others are absent ports; the local runtime passes all.
 */
export interface ComposeParts {
  clock?: Clock;
  identity?: Identity | IdentityFactory;
  /** API clients as OAuth clients (shared/adapters/identity-from-env.ts): the identity function and the local runtime. */
  apiClientProvider?: (env: Env, clock: Clock) => Promise<ApiClientProvider>;
  provisioner?: Provisioner;
  mailer?: (env: Env) => Mailer;
  /** Whether SES has a message (mail in doubt, docs/mail.md): the embedded runtime's local SES only; SES on AWS cannot be asked. */
  sentMail?: (env: Env) => SentMailLookup;
  keyCipher?: (env: Env) => KeyCipher;
  /** Where the servers fetch private keys (ssm/private-key-store-from-env.ts): the functions that store certificates. */
  privateKeys?: (env: Env) => PrivateKeyStore;
  /** The work queue (SQS on AWS: shared/adapters/sqs; the local runtime passes its durable local queue). */
  queue?: (env: Env, db: DynamoDBDocumentClient, tableName: string) => WorkQueue;
  /** The HTTP sender of webhook attempts (webhook-http.ts: webhookSenderFromEnv): the webhooks function and webhook-deliver. */
  webhookSender?: (env: Env) => WebhookSender;
}

export async function composeFromEnv(env: Env, overrides: ComposeParts = {}): Promise<AppDeps> {
  passwordHashCostFromEnv(env);
  const { db, tableName, roundTrips } = tableFromEnv(env);
  const clock = overrides.clock ?? systemClock;
  const logins = new DynamoLoginStore(db, tableName);
  const queue = overrides.queue ? overrides.queue(env, db, tableName) : NO_QUEUE;
  // Events written in a unit are announced to their fan-out right after it commits (the sweeper catches the rest).
  if (overrides.queue) unitOfWork(db).onCommit(announceWebhookEvents(queue));
  // ... and only written at all for a reseller with an endpoint (webhook-subscriptions.ts).
  unitOfWork(db).useFilter(new WebhookSubscriptions(db, tableName).filter);
  const identity =
    typeof overrides.identity === 'function' ? await overrides.identity(env, logins) : (overrides.identity ?? NO_IDENTITY);
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
    skins: new DynamoSkinRepository(db, tableName),
    queue,
    webhooks: new DynamoWebhookStore(db, tableName),
    webhookSender: overrides.webhookSender ? overrides.webhookSender(env) : NO_WEBHOOK_SENDER,
    webhookSettings: webhookSettingsFromEnv(env),
    runs: new DynamoRunStore(db, tableName),
    idempotency: new DynamoIdempotencyStore(db, tableName),
    metrics: metricsFromEnv(env),
    usage: new DynamoUsageRepository(db, tableName),
    localDataDir: env.DATA_DIR || undefined,
    passwordPolicy: passwordPolicyFromEnv(env),
    loginThrottle: new DynamoLoginThrottle(db, tableName),
    loginLimits: loginLimitsFromEnv(env),
    accountStatus: new DynamoAccountStatus(db, tableName),
    apiClients: new DynamoApiClientStore(db, tableName),
    apiClientProvider: overrides.apiClientProvider ? await overrides.apiClientProvider(env, clock) : NO_API_CLIENT_PROVIDER,
    randomBytes: (n) => randomBytes(n),
    newId: () => randomUUID().replace(/-/g, '').slice(0, 20),
    ...controlPanelFromEnv(db, tableName, { mailer: overrides.mailer?.(env), sentMail: overrides.sentMail?.(env), keyCipher: overrides.keyCipher?.(env), privateKeys: overrides.privateKeys?.(env), env }),
    servers: new DynamoServerRepository(db, tableName),
    provisioning: new DynamoProvisioningRepository(db, tableName),
    ...(overrides.provisioner ? { provisioner: overrides.provisioner } : {}),
    provisioningBackoff: {
      baseSeconds: Number(env.PROVISION_RETRY_BASE_SECONDS ?? DEFAULT_BACKOFF.baseSeconds),
      maxSeconds: Number(env.PROVISION_RETRY_MAX_SECONDS ?? DEFAULT_BACKOFF.maxSeconds),
    },
  };
}

/** A function composed without the webhook sender (it delivers none): a clear failure if it ever tries. */
const NO_WEBHOOK_SENDER: WebhookSender = {
  check: () => Promise.reject(new Error('this function was composed without a webhook sender: pass webhookSender: webhookSenderFromEnv')),
  post: () => Promise.reject(new Error('this function was composed without a webhook sender: pass webhookSender: webhookSenderFromEnv')),
};

/** A function composed without a queue (it sends to none): a clear failure if it ever tries. */
const NO_QUEUE: WorkQueue = {
  send: (queue) => Promise.reject(new Error(`this function was composed without a work queue (sending to ${queue}): pass queue: sqsQueue`)),
};

/** Where a process has no sign-in to do (the main API function, the jobs): a clear failure if it is ever asked. */
const NO_IDENTITY: Identity = new Proxy({} as Identity, {
  get: (_t, name) => () => Promise.reject(new Error(`identity.${String(name)} is served by the identity function`)),
});

/** Where a process does not manage API clients (every function but identity): a clear failure if asked. */
const NO_API_CLIENT_PROVIDER: ApiClientProvider = new Proxy({} as ApiClientProvider, {
  get: (_t, name) => () => Promise.reject(new Error(`apiClientProvider.${String(name)} is served by the identity function`)),
});
