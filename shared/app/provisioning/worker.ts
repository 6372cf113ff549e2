/**
 * The provisioning worker: pushes the complete desired state of every hosted user whose status is
 * pending, or failed and due again, to the server the user lives on, in batches per server.
 *
 * Each pass takes the entries due in the queue (a key query per shard of the sparse GSI1 entries
 * `PROV#<shard>`, sorted by next attempt time; no Scan):
 *   1. read each status (consistent): its `sequence` N; skip it if it is no longer pending/failed;
 *      read the user (consistent, after the status: at least as new as N); group by server;
 *   2. per server (at most `concurrency` servers at once): take the server's push lease, so one
 *      command at most is in flight per server across all workers (a server another worker holds
 *      waits for the next run, its entries unclaimed);
 *   3. claim each entry: move its next attempt a lease ahead, conditioned on N and the queue position
 *      read, so two workers never push the same entry (a crashed worker's entry comes back later);
 *      build the complete desired state with sequence N (pure desiredState; a delete state for a
 *      deleted user) with the reseller's index page;
 *   4. cut the states into batches (50 users or 48 KiB: planBatches) and send each as ONE command
 *      (Provisioner.applyBatch: one SSM command, or one run of the local agent);
 *   5. per user: success marks applied only if the sequence is still N (conditional); a change made
 *      meanwhile bumped it to N+1 and left it pending and due, so it is pushed on the next pass:
 *      never lost, never applied out of order (the script also refuses a lower sequence); failure:
 *      failed + lastError + attempts + nextAttemptAt (exponential backoff per user), an error in the
 *      reseller's message log; a non-retryable failure leaves the queue until changed or re-pushed.
 */
import { ValidationError } from '../../domain/errors';
import { desiredState, type DesiredState, type ProvisionSsl } from '../../domain/provisioning/desired-state';
import { DEFAULT_BATCH_LIMITS, planBatches, type BatchLimits } from '../../domain/provisioning/batch';
import { DEFAULT_BACKOFF, nextAttemptAt, type ProvisioningState } from '../../domain/provisioning/status';
import type { HostedUser } from '../../domain/controlpanel/users';
import type { Message } from '../../ports/message-log';
import type { ApplyResult } from '../../ports/provisioner';
import type { DueEntry } from '../../ports/provisioning';
import type { WorkerDeps } from './deps';
import { ensureKeyParameter } from '../controlpanel/ssl';
import { webhookEvent } from '../webhooks/deps';

export interface WorkerOptions {
  /** Entries read per shard and pass (default 250: enough to fill batches of 50 per server). */
  batch?: number;
  /** Servers pushed to at once, in all (default 4). Each server has one command in flight at most. */
  concurrency?: number;
  /** Users and characters of states per command (default 50 users, 48 KiB). */
  batchLimits?: BatchLimits;
  /** Stop taking new entries after this many milliseconds (default 10 min; the Lambda runs up to 15). */
  budgetMs?: number;
  /** How long a claimed entry is kept from other workers (default 15 min). */
  leaseMs?: number;
  /**
   * How long a server's push lease lasts, renewed before each batch (default 11 min: SSM's command
   * time-out of 10 min and a margin). A worker that dies holding it delays that server this long.
   */
  serverLeaseMs?: number;
  /** Real time for the budget (default Date.now: independent of the dev clock). */
  elapsedNow?: () => number;
}

export interface WorkerResult {
  pushed: number;
  applied: number;
  failed: number;
  /** Entries another worker had or that changed between the read and the claim. */
  skipped: number;
  /** Pushes that succeeded but were superseded by a newer change (it stays pending). */
  superseded: number;
  /** Commands sent to servers (one per batch). */
  commands: number;
  errors: { username: string; error: string }[];
}

type Outcome = 'applied' | 'failed' | 'skipped' | 'superseded';

/** A due entry whose status was read: what the pass knows before it claims it. */
interface Candidate {
  entry: DueEntry;
  status: ProvisioningState;
  user: HostedUser | undefined;
  serverId: string | undefined;
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/**
 * One pass over everything due now, grouped by server; repeat passes until nothing is due or the
 * budget is spent. Per server: take its push lease (one command in flight per server across every
 * worker), claim its entries, send their states in batches (one command per batch), mark each user.
 */
export async function runProvisioning(deps: WorkerDeps, opts: WorkerOptions = {}): Promise<WorkerResult> {
  const batch = opts.batch ?? 250;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const elapsed = opts.elapsedNow ?? Date.now;
  const start = elapsed();
  const budget = opts.budgetMs ?? 600_000;
  const result: WorkerResult = { pushed: 0, applied: 0, failed: 0, skipped: 0, superseded: 0, commands: 0, errors: [] };
  const seen = new Set<string>();
  const holder = deps.newId();
  let fallbackServer: Promise<string | undefined> | undefined;

  for (let pass = 0; pass < 1000 && elapsed() - start < budget; pass++) {
    const now = deps.clock.now();
    const due: DueEntry[] = [];
    for (let shard = 0; shard < deps.provisioning.shards; shard++) due.push(...(await deps.provisioning.due(shard, now, batch)));
    // An entry already handled in this run (e.g. superseded and due again) waits for the next pass.
    const fresh = due.filter((e) => !seen.has(e.token));
    if (!fresh.length) break;
    for (const e of fresh) seen.add(e.token);
    // Each reseller's index page, read once per pass and only after every status of the pass: a
    // page changed before a bump this pass saw is the page it pushes (a page kept for the whole run
    // pushed the old page to users bumped by the change while the run kept passing under load).
    const indexPages = new Map<string, Promise<string | null>>();

    // Read each status (consistent), then the user (after it: at least as new as the sequence read).
    const byServer = new Map<string, Candidate[]>();
    await pool(fresh, 16, async (entry) => {
      try {
        const status = await deps.provisioning.get(entry.resellerId, entry.username);
        if (!status || status.status === 'applied') {
          result.skipped++;
          return;
        }
        const user = status.deleted ? undefined : await deps.users.get(entry.resellerId, entry.username);
        // Deleted meanwhile: the delete bumped the sequence and queued itself; nothing to push for N.
        if (!status.deleted && !user) {
          result.skipped++;
          return;
        }
        const serverId = status.serverId ?? user?.serverId ?? (await (fallbackServer ??= defaultServer(deps)));
        const key = serverId ?? '';
        byServer.set(key, [...(byServer.get(key) ?? []), { entry, status, user, serverId }]);
      } catch (e) {
        result.errors.push({ username: entry.username, error: (e as Error).message });
        result.skipped++;
      }
    });

    await pool([...byServer.entries()], concurrency, async ([serverId, candidates]) => {
      try {
        await pushToServer(deps, serverId, candidates, holder, opts, indexPages, result, seen);
      } catch (e) {
        for (const c of candidates) result.errors.push({ username: c.entry.username, error: (e as Error).message });
      }
    });
  }
  return result;
}

async function pushToServer(
  deps: WorkerDeps,
  serverId: string,
  candidates: Candidate[],
  holder: string,
  opts: WorkerOptions,
  indexPages: Map<string, Promise<string | null>>,
  result: WorkerResult,
  seen: Set<string>,
): Promise<void> {
  const leaseMs = opts.leaseMs ?? 900_000;
  const leaseUntil = () => new Date(deps.clock.now().getTime() + leaseMs).toISOString();
  const serverLeaseUntil = () => new Date(deps.clock.now().getTime() + (opts.serverLeaseMs ?? 660_000)).toISOString();
  const msgFor = (username: string) => (type: Message['type'], text: string): Message => ({
    id: deps.newId(), at: deps.clock.now().toISOString(), type, text, subject: { user: username, server: serverId },
  });
  if (!serverId) {
    for (const c of candidates) {
      const outcome = await fail(deps, c.entry, c.status.sequence, c.status.attempts, c.status.lastError,
        'the user has no hosting server and no default server is registered', true, msgFor(c.entry.username), result);
      result[outcome]++;
    }
    return;
  }
  // One command in flight per server across workers: a server another worker pushes to waits for
  // the next pass (its entries stay due, unclaimed).
  if (!(await deps.provisioning.leaseServer(serverId, holder, serverLeaseUntil(), deps.clock.now().toISOString()))) {
    result.skipped += candidates.length;
    return;
  }
  try {
    // Claim each entry (conditioned on the sequence and the queue position read), build its state.
    const ready: { c: Candidate; state: DesiredState }[] = [];
    for (const c of candidates) {
      const { resellerId, username } = c.entry;
      if (!(await deps.provisioning.claim(resellerId, username, c.entry, c.status.sequence, leaseUntil()))) {
        result.skipped++;
        continue;
      }
      try {
        if (!indexPages.has(resellerId)) indexPages.set(resellerId, deps.provisioning.getIndexPage(resellerId));
        const ssl = c.user && !c.status.deleted ? await sslOf(deps, resellerId, c.user) : null;
        const state = buildState(resellerId, username, c.status.sequence, c.user, c.status.deleted, await indexPages.get(resellerId)!, c.status.billingLocked === true, ssl);
        ready.push({ c, state });
      } catch (e) {
        const error = e instanceof ValidationError ? `invalid desired state: ${e.message}` : (e as Error).message;
        // An invalid state waits for a change; anything else (the key store, a read) is retried.
        const retryable = !(e instanceof ValidationError);
        result[await fail(deps, c.entry, c.status.sequence, c.status.attempts, c.status.lastError, error, retryable, msgFor(username), result, serverId)]++;
      }
    }
    const { batches, refused } = planBatches(serverId, ready.map((r) => r.state), opts.batchLimits ?? DEFAULT_BATCH_LIMITS);
    for (const [i, f] of refused) {
      const { c } = ready[i]!;
      result[await fail(deps, c.entry, c.status.sequence, c.status.attempts, c.status.lastError, f.error, false, msgFor(c.entry.username), result, serverId)]++;
    }
    for (const b of batches) {
      const items = b.items.map((i) => ready[i]!);
      // Renewed before each command; lost (expired and taken by another worker): the rest waits,
      // its claims run out and the entries come back.
      if (!(await deps.provisioning.leaseServer(serverId, holder, serverLeaseUntil(), deps.clock.now().toISOString()))) break;
      result.commands++;
      result.pushed += items.length;
      const outs = await deps.provisioner.applyBatch(serverId, items.map((x) => x.state));
      await pool(items.map((x, i) => ({ ...x, out: outs[i] as ApplyResult })), 8, async ({ c, out }) => {
        const outcome = await record(deps, c, out, serverId, msgFor(c.entry.username), result);
        result[outcome]++;
        // Superseded: a newer change is queued (possibly at the same position): worth another pass.
        if (outcome === 'superseded') seen.delete(c.entry.token);
      });
    }
  } finally {
    await deps.provisioning.releaseServer(serverId, holder).catch(() => undefined);
  }
}

async function record(
  deps: WorkerDeps,
  c: Candidate,
  out: ApplyResult | undefined,
  serverId: string,
  msg: (type: Message['type'], text: string) => Message,
  result: WorkerResult,
): Promise<Outcome> {
  const { resellerId, username } = c.entry;
  const { status } = c;
  if (out?.ok) {
    const recovered = status.status === 'failed' || status.attempts > 0;
    const done = await deps.provisioning.markApplied(resellerId, username, status.sequence, deps.clock.now().toISOString(), {
      serverId,
      deleted: status.deleted,
      message: recovered ? msg('notice', `provisioning of ${username} on ${serverId} succeeded after ${status.attempts} failed attempt(s)`) : undefined,
      events: status.deleted ? [] : [webhookEvent(deps, resellerId, 'user.provisioned', { username, serverId, sequence: status.sequence })],
    });
    return done ? 'applied' : 'superseded';
  }
  const error = out?.error ?? 'no result for the user from the server';
  return fail(deps, c.entry, status.sequence, status.attempts, status.lastError, error, out?.retryable ?? true, msg, result, serverId);
}

async function fail(
  deps: WorkerDeps,
  entry: DueEntry,
  sequence: number,
  attemptsBefore: number,
  lastError: string | null,
  error: string,
  retryable: boolean,
  msg: (type: Message['type'], text: string) => Message,
  result: WorkerResult,
  serverId?: string,
): Promise<Outcome> {
  const now = deps.clock.now();
  const attempts = attemptsBefore + 1;
  const retryAt = retryable ? nextAttemptAt(now, attempts, deps.backoff ?? DEFAULT_BACKOFF) : null;
  // One log entry per new error, not one per retry of the same error.
  const log = attempts === 1 || lastError !== error || !retryable;
  const text = `provisioning of ${entry.username}${serverId ? ` on ${serverId}` : ''} failed: ${error}${retryable ? ` (attempt ${attempts}, retried at ${retryAt})` : ' (not retried until the user is changed or re-pushed)'}`;
  result.errors.push({ username: entry.username, error });
  // One event per new error, as the log (not one per retry of the same error).
  const events = log ? [webhookEvent(deps, entry.resellerId, 'user.provisioning_failed', { username: entry.username, serverId: serverId ?? null, sequence, error, attempts, retryAt })] : [];
  const marked = await deps.provisioning.markFailed(entry.resellerId, entry.username, sequence, now.toISOString(), error, retryAt, log ? msg('error', text) : undefined, events);
  return marked ? 'failed' : 'superseded';
}

async function defaultServer(deps: WorkerDeps): Promise<string | undefined> {
  return (await deps.servers.list()).find((s) => s.isDefault)?.id;
}

/**
 * The user's own certificate for its server while the SSL service is on: the certificate and where
 * the server fetches the key (never the key). A certificate stored before the key store gets its
 * parameter here, on its first push (a failure fails the push, retried).
 */
async function sslOf(deps: WorkerDeps, resellerId: string, user: HostedUser): Promise<ProvisionSsl | null> {
  if (!user.ssl || !user.services.ssl) return null;
  let cert = await deps.certificates.get(resellerId, user.username);
  if (cert && !cert.keyRef && deps.keyCipher && deps.privateKeys) {
    cert = await ensureKeyParameter({ certificates: deps.certificates, keyCipher: deps.keyCipher, privateKeys: deps.privateKeys }, resellerId, cert);
  }
  if (!cert?.keyRef || !cert.keySha256) return null;
  return { certificate: cert.certificatePem, keyRef: cert.keyRef, keySha256: cert.keySha256 };
}

/** The complete desired state of a user (or of its delete), from the stored user record. */
export function buildState(
  resellerId: string,
  username: string,
  sequence: number,
  user: HostedUser | undefined,
  deleted: boolean,
  indexPage: string | null,
  billingLocked = false,
  ssl: ProvisionSsl | null = null,
): DesiredState {
  if (deleted || !user) return desiredState({ username, resellerId, sequence, deleted: true });
  return desiredState({
    username,
    resellerId,
    sequence,
    limits: user.limits,
    services: user.services,
    domains: user.domains.map((d) => ({ name: d.name, dns: d.dns, dnr: d.dnr })),
    ip: user.ip,
    cronJobs: [],
    // Locked while either the reseller's lock or the billing lock is set.
    locked: user.status === 'locked' || billingLocked,
    deleted: false,
    indexPage,
    ssl,
    frontPage: user.frontPage && user.frontPageLogin ? user.frontPageLogin : null,
    mysqlExternalAccess: user.mysqlExternalAccess === true,
  });
}
