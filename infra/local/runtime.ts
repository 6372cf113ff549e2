import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { composeFromEnv, type AppDeps, type Env } from '../../shared/adapters/compose';
import { webhookSenderFromEnv } from '../../shared/adapters/webhook-http';
import { LocalIssuer } from '../../shared/adapters/local/local-issuer';
import { hashPassword } from '../../shared/adapters/local/password-hash';
import { generatePassword } from '../../shared/domain/password';
import { handler as apiHandler } from '../../functions/http/lambdas/api';
import { handler as identityHandler } from '../../functions/http/lambdas/identity';
import { handler as usersHandler } from '../../functions/http/lambdas/users';
import { handler as billingHandler } from '../../functions/http/lambdas/billing';
import { handler as operatorHandler } from '../../functions/http/lambdas/operator';
import { handler as docsHandler } from '../../functions/http/lambdas/docs-local';
import { handler as webhooksHandler } from '../../functions/http/lambdas/webhooks';
import { handler as sslHandler } from '../../functions/http/lambdas/ssl';
import { handler as settingsHandler } from '../../functions/http/lambdas/settings';
import { DEFAULT_LAMBDA, lambdaOf, type HttpLambda } from '../../functions/http/lambdas';
import type { LambdaHttpHandler } from './http-server';
import { apiClientsFromEnv, identityFromEnv } from '../../shared/adapters/identity-from-env';
import { mailerFromEnv } from '../../shared/adapters/ses/mailer-from-env';
import { LocalSesLookup } from '../../shared/adapters/ses/local-ses-lookup';
import { isLoopbackHost } from '../../shared/domain/webhooks';
import { keyCipherFromEnv } from '../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../shared/adapters/ssm/private-key-store-from-env';
import { provideDeps } from '../../functions/deps';
import { ROUTES } from '../../functions/http/routes';
import { ensureTable, startDynamoLocal, type DynamoLocal } from './dynamodb-local';
import { freePort } from './free-port';
import { loadOrCreateDbCredentials, secureDataDir } from './data-dir';
import type { LocalDbCredentials } from '../../shared/adapters/dynamodb/client';
import { createLocalHttpServer, type StaticHandler } from './http-server';
import { parseCorsOrigins } from '../../functions/http/cors';
import { CONSOLE_DIST, consoleFiles } from './console-files';
import { DevClock } from '../../shared/adapters/local/dev-clock';
import { devRoutes } from './dev-routes';
import { LocalScheduler, loadFunction } from './scheduler';
import { LocalWorkQueue } from '../../shared/adapters/dynamodb/local-work-queue';
import { QueuePoller } from './queue-poller';
import { backfillDueItems } from '../../shared/app/billing/backfill-due';
import { QUEUES, queueSpec } from '../queues-manifest';
import { FUNCTIONS } from '../functions-manifest';
import { startLocalSes, type LocalSes } from './ses-local';
import { SesEventsFeed } from './ses-events-feed';
import { handler as sesEventsHandler } from '../../functions/events/ses-events';
import { LocalAgentProvisioner } from '../../shared/adapters/local/local-agent';
import { PROVISION_SCRIPT_PATH } from '../provisioning/ssm-document';
import type { Server as HostingServer } from '../../shared/ports/servers';

/** The hosting server of the embedded runtime, registered on the first start (see ensureLocalServer). */
export const LOCAL_SERVER_ID = 'local-1';
const PROVISIONING_JOB = 'provisioning-worker';

export interface RuntimeOptions {
  dataDir: string;
  port: number;
  sesPort: number;
  dynamoPort: number;
  /** Keep DynamoDB in memory (tests); otherwise under dataDir/dynamodb. */
  inMemory?: boolean;
  operatorPassword?: string;
  tableName?: string;
  log?: (line: string) => void;
  env?: Env;
  /**
   * Run scheduled and rate jobs in the background (default). Benchmarks turn it off so that the
   * DynamoDB round trips they count belong to the request measured and nothing else.
   */
  backgroundJobs?: boolean;
  /** Serve the built console from this folder at GET / (web/dist for `npm start`). */
  consoleDir?: string;
  /** Run the work queues' consumers (default: as backgroundJobs). */
  queues?: boolean;
  /** Tests: the local queue delivers every message twice. */
  duplicateDelivery?: boolean;
  /**
   * Send mail to this local SES instead of starting one (`LOCAL_SES_URL`): tests that kill the
   * runtime keep the mail store in their own process, so what SES accepted outlives the runtime.
   */
  externalSesUrl?: string;
  /**
   * Use this DynamoDB Local instead of starting one (`LOCAL_DYNAMODB_URL`), with the key kept in
   * $DATA_DIR: it runs without -sharedDb, so that key is a database of its own. Tests give their
   * own runtimes the shared runtime's DynamoDB Local: one warm JVM instead of a cold one each.
   */
  externalDynamoUrl?: string;
}

export interface Runtime {
  url: string;
  sesUrl: string;
  dynamoEndpoint: string;
  /** The key DynamoDB Local's database belongs to (kept in $DATA_DIR): any other key sees nothing. */
  dynamoCredentials: LocalDbCredentials;
  /** TABLE_NAME, DYNAMODB_ENDPOINT and the key, for a second composeFromEnv on this runtime's table. */
  dbEnv: Env;
  tableName: string;
  dataDir: string;
  deps: AppDeps;
  clock: DevClock;
  scheduler: LocalScheduler;
  /** The durable local work queue and its consumers' poller. */
  queue: LocalWorkQueue;
  poller: QueuePoller;
  /** Set only on the first start, when the operator password was generated. */
  generatedOperatorPassword?: string;
  stop(): Promise<void>;
}

export function optionsFromEnv(env: Env): RuntimeOptions {
  return {
    dataDir: resolve(env.DATA_DIR ?? '.data'),
    port: Number(env.PORT ?? 3000),
    sesPort: Number(env.SES_PORT ?? 8005),
    dynamoPort: Number(env.DYNAMODB_PORT ?? 8000),
    operatorPassword: env.OPERATOR_PASSWORD || undefined,
    externalSesUrl: env.LOCAL_SES_URL || undefined,
    externalDynamoUrl: env.LOCAL_DYNAMODB_URL || undefined,
    env,
    consoleDir: CONSOLE_DIST,
  };
}

/** The database stays on this machine: another DynamoDB than a loopback one is refused. */
function loopbackUrl(name: string, url: string): string {
  const u = URL.canParse(url) ? new URL(url) : undefined;
  if (!u || u.protocol !== 'http:' || !isLoopbackHost(u.hostname)) {
    throw new Error(`${name} must be an http:// URL on this machine's loopback interface (127.0.0.1), not ${url}`);
  }
  return url.replace(/\/$/, '');
}

/** Starts the embedded runtime: DynamoDB Local, the local SES, the issuer and the API server. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.log ?? (() => undefined);
  // Checked before anything starts: a bad entry stops the start naming it.
  const corsOrigins = parseCorsOrigins(opts.env?.CORS_ORIGINS);
  const tableName = opts.tableName ?? 'reseller-panel';
  const started: { stop(): Promise<void> }[] = [];
  try {
    secureDataDir(opts.dataDir);
    const dbPath = opts.inMemory ? undefined : join(opts.dataDir, 'dynamodb');
    const dynamo: DynamoLocal = opts.externalDynamoUrl
      ? { endpoint: loopbackUrl('LOCAL_DYNAMODB_URL', opts.externalDynamoUrl), credentials: loadOrCreateDbCredentials(opts.dataDir), stop: async () => undefined }
      : await startDynamoLocal({
          port: opts.dynamoPort || (await freePort()),
          dbPath,
          credentials: loadOrCreateDbCredentials(opts.dataDir, dbPath),
        });
    started.push(dynamo);
    log(`DynamoDB Local on ${dynamo.endpoint} (127.0.0.1 only; its key is in ${join(opts.dataDir, 'dynamodb-credentials.json')})`);
    await ensureTable(dynamo.endpoint, dynamo.credentials, tableName);
    const dbEnv: Env = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_ACCESS_KEY_ID: dynamo.credentials.accessKeyId,
      DYNAMODB_SECRET_ACCESS_KEY: dynamo.credentials.secretAccessKey,
    };

    // Since when "not in the local SES's store" means "never accepted" (mail in doubt, docs/mail.md):
    // the runtime's own SES keeps its store in memory from its start; an SES given by LOCAL_SES_URL
    // is outside the runtime and keeps it across the runtime's restarts (0: always).
    const sesUpSinceMs = opts.externalSesUrl ? 0 : Date.now();
    const ses: LocalSes = opts.externalSesUrl
      ? { url: opts.externalSesUrl, stop: async () => undefined }
      : await startLocalSes(opts.sesPort || (await freePort()));
    started.push(ses);
    log(`local SES on ${ses.url} (web view of sent mail)`);

    const issuerKeyFile = join(opts.dataDir, 'identity', 'issuer-key.json');
    const env: Env = {
      // Webhook receivers on this machine (tests, a developer's listener): http:// to loopback is allowed here only.
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      ...(opts.env ?? {}),
      ...dbEnv,
      IDENTITY_MODE: 'local',
      LOCAL_ISSUER_KEY_FILE: issuerKeyFile,
      SES_ENDPOINT: ses.url,
      DATA_DIR: opts.dataDir,
    };
    const clock = new DevClock(join(opts.dataDir, 'clock.json'));
    // The local agent runs infra/provisioning/provision.sh against $DATA_DIR/servers/<serverId>/root.
    const provisioner = new LocalAgentProvisioner({ dataDir: opts.dataDir, scriptPath: PROVISION_SCRIPT_PATH });
    let queue: LocalWorkQueue | undefined;
    const deps = await composeFromEnv(env, {
      clock,
      identity: identityFromEnv,
      apiClientProvider: apiClientsFromEnv,
      provisioner,
      mailer: mailerFromEnv,
      sentMail: () => new LocalSesLookup(ses.url, sesUpSinceMs),
      keyCipher: keyCipherFromEnv,
      privateKeys: privateKeyStoreFromEnv,
      webhookSender: webhookSenderFromEnv,
      queue: (_env, db, table) =>
        (queue = new LocalWorkQueue(db, table, {
          maxReceives: (name) => queueSpec(name).maxReceives,
          duplicateDelivery: opts.duplicateDelivery ?? env.LOCAL_QUEUE_DUPLICATE_DELIVERY === 'true',
        })),
    });
    const poller = new QueuePoller(queue!, QUEUES, {
      load: async (consumer) => {
        const spec = FUNCTIONS.find((f) => f.name === consumer);
        if (!spec) throw new Error(`queue consumer ${consumer} is not in the functions manifest`);
        const fn = await loadFunction(spec);
        return (event) => fn(event as never) as never;
      },
      concurrency: Number(env.LOCAL_QUEUE_CONCURRENCY) || 4,
      visibilitySeconds: Number(env.LOCAL_QUEUE_VISIBILITY_SECONDS) || undefined,
      log,
    });
    provideDeps(deps);
    const issuer = await LocalIssuer.loadOrCreate(issuerKeyFile);

    const generatedOperatorPassword = await ensureOperator(deps, opts.operatorPassword);
    // Data from before the due-item billing run: each account gets its next due day once.
    const backfilled = await backfillDueItems(deps);
    if (backfilled.written) log(`billing: ${backfilled.written} accounts given their next due day`);
    if (await ensureLocalServer(deps)) log(`hosting server ${LOCAL_SERVER_ID} registered (root ${join(opts.dataDir, 'servers', LOCAL_SERVER_ID, 'root')})`);

    // SES's event publishing, imitated from the local SES's store (sends, simulator bounces and complaints).
    const sesEvents = new SesEventsFeed(ses.url, (event) => sesEventsHandler(event), Number(env.LOCAL_SES_EVENTS_INTERVAL_MS) || 250, log);
    if (opts.queues ?? opts.backgroundJobs ?? true) {
      // Before any sender runs: what SES accepted before a crash is recorded as sent first, so a
      // claim whose sender died is not sent again once its lease runs out (docs/mail.md).
      await sesEvents.poll().catch((e: Error) => log(`SES events feed: ${e.message}`));
      sesEvents.start();
    }
    started.push({ stop: () => sesEvents.stop() });

    const publicRoutes = new Set(ROUTES.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`));
    const scheduler = new LocalScheduler(clock, undefined, undefined, log, (runId) => awaitRun(deps, runId));
    const background = opts.backgroundJobs ?? true;
    if (opts.queues ?? background) poller.start();
    started.push({ stop: () => poller.stop() });
    if (background) {
      scheduler.start();
      // rate(...) jobs (the provisioning worker) on a short interval, so failed pushes are retried
      // when their backoff has passed; and right after every request that may have changed something.
      scheduler.startRateJobs(Number(env.LOCAL_RATE_JOB_INTERVAL_MS) || 2000);
    }
    started.push({ stop: () => scheduler.stop().then(() => undefined) });
    // Only a change that succeeded can have made a user pending (a refused request writes nothing), and
    // sign-ins, API clients and webhook endpoints never do: a worker pass is 4 key queries.
    const NO_PROVISIONING: ReadonlySet<HttpLambda> = new Set(['identity', 'webhooks', 'docs']);
    const afterChange = <T extends { statusCode?: number }>(method: string, lambda: HttpLambda, out: T): T => {
      const ok = (out.statusCode ?? 200) < 400;
      if (background && method !== 'GET' && ok && !NO_PROVISIONING.has(lambda)) void scheduler.runRateJob(PROVISIONING_JOB);
      return out;
    };
    // As API Gateway does, each route goes to the function of its group, anything else to the default one.
    const handlers: Record<HttpLambda, LambdaHttpHandler> = {
      api: apiHandler,
      identity: identityHandler,
      users: usersHandler,
      billing: billingHandler,
      operator: operatorHandler,
      docs: docsHandler,
      webhooks: webhooksHandler,
      ssl: sslHandler,
      settings: settingsHandler,
    };
    const routeKeys = ROUTES.map((r) => ({
      method: r.method as string,
      pattern: new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`),
      lambda: lambdaOf(r),
    }));
    const functionFor = (method: string, path: string): HttpLambda =>
      routeKeys.find((k) => k.method === method && k.pattern.test(path))?.lambda ?? DEFAULT_LAMBDA;
    const server: Server = createLocalHttpServer(
      async (event, context) => {
        const lambda = functionFor(event.requestContext.http.method, event.rawPath);
        return afterChange(event.requestContext.http.method, lambda, await handlers[lambda](event, context));
      },
      {
        isPublic: (method, path) => publicRoutes.has(`${method} ${path}`),
        verify: (token) => issuer.verify(token),
      },
      devRoutes(clock, scheduler),
      opts.consoleDir ? consoleHandler(opts.consoleDir) : undefined,
      { corsOrigins },
    );
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(opts.port, '127.0.0.1', () => res());
    });
    const port = (server.address() as AddressInfo).port;
    started.push({
      stop: () =>
        new Promise<void>((res) => {
          server.close(() => res());
          server.closeAllConnections();
        }),
    });
    const url = `http://127.0.0.1:${port}`;
    log(`API on ${url}`);

    return {
      url,
      sesUrl: ses.url,
      dynamoEndpoint: dynamo.endpoint,
      dynamoCredentials: dynamo.credentials,
      dbEnv,
      tableName,
      dataDir: opts.dataDir,
      deps,
      clock,
      scheduler,
      queue: queue!,
      poller,
      generatedOperatorPassword,
      stop: async () => {
        for (const s of started.reverse()) await s.stop();
      },
    };
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw e;
  }
}

/** The console's files, asked only for paths no API route (of any method) and no dev route matches. */
function consoleHandler(dir: string): StaticHandler {
  const apiPaths = ROUTES.map((r) => new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`));
  const files = consoleFiles(dir);
  return (method, path) => (path.startsWith('/__dev/') || apiPaths.some((p) => p.test(path)) ? undefined : files(method, path));
}

/** Waits until a run is finished (the local scheduler's day is over only then). */
async function awaitRun(deps: AppDeps, runId: string, timeoutMs = 15 * 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(100, wait + 10)) {
    const run = await deps.runs.get(runId);
    if (run?.finishedAt) return;
    if (Date.now() > until) throw new Error(`run ${runId} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * First start only (idempotent): registers the runtime's hosting server `local-1` as the
 * installation's default server. A reseller without an assignment of servers gets the default
 * server(s), so every reseller of the embedded runtime places its users on `local-1` unless the
 * operator assigns others. True when it was registered now.
 */
export async function ensureLocalServer(deps: AppDeps): Promise<boolean> {
  const now = deps.clock.now().toISOString();
  const server: HostingServer = {
    id: LOCAL_SERVER_ID,
    name: 'Local server 1 (embedded runtime)',
    instanceId: null,
    addresses: ['127.0.0.1'],
    capacity: -1,
    users: 0,
    isDefault: true,
    createdAt: now,
    updatedAt: now,
  };
  return deps.servers.createIfAbsent(server);
}

/** First start only: the operator login, with the given password or a generated one returned once. */
async function ensureOperator(deps: AppDeps, password: string | undefined): Promise<string | undefined> {
  if (await deps.logins.get('operator')) return undefined;
  const chosen = password ?? generatePassword(deps.randomBytes);
  const created = await deps.logins.createIfAbsent({
    username: 'operator',
    role: 'operator',
    locked: false,
    passwordHash: await hashPassword(chosen),
  });
  return created && !password ? chosen : undefined;
}
