/**
 * The provisioning worker: pushes the complete desired state of every hosted user whose status is
 * pending, or failed and due again, to the server the user lives on.
 *
 * For each entry due in the queue (a key query per shard of the sparse GSI1 entries `PROV#<shard>`,
 * sorted by next attempt time; no Scan):
 *   1. read the status (consistent): its `sequence` N; skip it if it is no longer pending/failed;
 *   2. claim it: move its next attempt a lease ahead, conditioned on N and the queue position read,
 *      so two workers never push the same entry at once (a crashed worker's entry comes back later);
 *   3. read the user (consistent, after the status: the user read is at least as new as N) and the
 *      reseller's index page; build the complete desired state with sequence N (pure desiredState);
 *      a deleted user gets a delete state;
 *   4. Provisioner.apply(serverId, state);
 *   5. success: mark applied only if the sequence is still N (conditional); a change made meanwhile
 *      bumped it to N+1 and left it pending and due, so it is pushed on the next pass: never lost,
 *      never applied out of order (the script also refuses a sequence lower than the last applied);
 *      failure: failed + lastError + attempts + nextAttemptAt (exponential backoff), an error in the
 *      reseller's message log; a non-retryable failure leaves the queue until changed or re-pushed.
 */
import { ValidationError } from '../../domain/errors';
import { desiredState, type DesiredState } from '../../domain/provisioning/desired-state';
import { DEFAULT_BACKOFF, nextAttemptAt } from '../../domain/provisioning/status';
import type { HostedUser } from '../../domain/controlpanel/users';
import type { Message } from '../../ports/message-log';
import type { DueEntry } from '../../ports/provisioning';
import type { WorkerDeps } from './deps';

export interface WorkerOptions {
  /** Entries read per shard and pass (default 25). */
  batch?: number;
  /** Pushes running at once (default 4). */
  concurrency?: number;
  /** Stop taking new entries after this many milliseconds (default 10 min; the Lambda runs up to 15). */
  budgetMs?: number;
  /** How long a claimed entry is kept from other workers (default 15 min). */
  leaseMs?: number;
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
  errors: { username: string; error: string }[];
}

type Outcome = 'applied' | 'failed' | 'skipped' | 'superseded';

/** One pass over everything due now; repeat passes until nothing is due or the budget is spent. */
export async function runProvisioning(deps: WorkerDeps, opts: WorkerOptions = {}): Promise<WorkerResult> {
  const batch = opts.batch ?? 25;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const elapsed = opts.elapsedNow ?? Date.now;
  const start = elapsed();
  const budget = opts.budgetMs ?? 600_000;
  const result: WorkerResult = { pushed: 0, applied: 0, failed: 0, skipped: 0, superseded: 0, errors: [] };
  const indexPages = new Map<string, Promise<string | null>>();
  const seen = new Set<string>();

  for (let pass = 0; pass < 1000 && elapsed() - start < budget; pass++) {
    const now = deps.clock.now();
    const due: DueEntry[] = [];
    for (let shard = 0; shard < deps.provisioning.shards; shard++) due.push(...(await deps.provisioning.due(shard, now, batch)));
    // An entry already handled in this run (e.g. superseded and due again) waits for the next pass.
    const fresh = due.filter((e) => !seen.has(e.token));
    if (!fresh.length) break;
    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, fresh.length) }, async () => {
      while (next < fresh.length && elapsed() - start < budget) {
        const entry = fresh[next++] as DueEntry;
        seen.add(entry.token);
        const outcome = await pushOne(deps, entry, opts, indexPages, result).catch((e: Error) => {
          result.errors.push({ username: entry.username, error: e.message });
          return 'skipped' as Outcome;
        });
        result[outcome]++;
        // Superseded: a newer change is queued (possibly at the same position): worth another pass.
        if (outcome === 'superseded') seen.delete(entry.token);
      }
    });
    await Promise.all(workers);
  }
  return result;
}

async function pushOne(
  deps: WorkerDeps,
  entry: DueEntry,
  opts: WorkerOptions,
  indexPages: Map<string, Promise<string | null>>,
  result: WorkerResult,
): Promise<Outcome> {
  const { resellerId, username } = entry;
  const status = await deps.provisioning.get(resellerId, username);
  if (!status || status.status === 'applied') return 'skipped';
  const now = deps.clock.now();
  const lease = new Date(now.getTime() + (opts.leaseMs ?? 900_000)).toISOString();
  if (!(await deps.provisioning.claim(resellerId, username, entry, status.sequence, lease))) return 'skipped';

  const user = status.deleted ? undefined : await deps.users.get(resellerId, username);
  if (!status.deleted && !user) {
    // Deleted meanwhile: the delete bumped the sequence and queued itself; nothing to push for N.
    return 'skipped';
  }
  const serverId = status.serverId ?? user?.serverId ?? (await defaultServer(deps));
  const at = () => deps.clock.now().toISOString();
  const msg = (type: Message['type'], text: string): Message => ({ id: deps.newId(), at: at(), type, text, subject: { user: username, server: serverId ?? '' } });

  if (!serverId) {
    return fail(deps, entry, status.sequence, status.attempts, status.lastError, 'the user has no hosting server and no default server is registered', true, msg, result);
  }

  let state: DesiredState;
  try {
    if (!indexPages.has(resellerId)) indexPages.set(resellerId, deps.provisioning.getIndexPage(resellerId));
    state = buildState(resellerId, username, status.sequence, user, status.deleted, await indexPages.get(resellerId)!, status.billingLocked === true);
  } catch (e) {
    const error = e instanceof ValidationError ? `invalid desired state: ${e.message}` : (e as Error).message;
    return fail(deps, entry, status.sequence, status.attempts, status.lastError, error, false, msg, result, serverId);
  }

  result.pushed++;
  const out = await deps.provisioner.apply(serverId, state);
  if (out.ok) {
    const recovered = status.status === 'failed' || status.attempts > 0;
    const done = await deps.provisioning.markApplied(resellerId, username, status.sequence, at(), {
      serverId,
      deleted: status.deleted,
      message: recovered ? msg('notice', `provisioning of ${username} on ${serverId} succeeded after ${status.attempts} failed attempt(s)`) : undefined,
    });
    return done ? 'applied' : 'superseded';
  }
  return fail(deps, entry, status.sequence, status.attempts, status.lastError, out.error, out.retryable, msg, result, serverId);
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
  const marked = await deps.provisioning.markFailed(entry.resellerId, entry.username, sequence, now.toISOString(), error, retryAt, log ? msg('error', text) : undefined);
  return marked ? 'failed' : 'superseded';
}

async function defaultServer(deps: WorkerDeps): Promise<string | undefined> {
  return (await deps.servers.list()).find((s) => s.isDefault)?.id;
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
  });
}
