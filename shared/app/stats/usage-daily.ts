/**
 * One day's usage in one process: every server's report stored, then fed to the users' billing
 * accounts. The scheduled path does not use this: it fans out per server through the work queue
 * (shared/app/stats/usage-collect.ts) and billing takes the stored usage when it runs. This is the
 * same storage and the same feed (shared/app/billing/usage-feed.ts) called in one go, for tools and
 * tests of the feed's semantics on a few accounts.
 *
 * Billing feed: the day's web + FTP traffic becomes a `use` of the plan's `traffic` resource (GB)
 * and the disk use a `measure` of `disk_quota` (MB), dated the usage day, only for resources the
 * account's plan has. Each day is marked fed on the user's month item in the same transaction as
 * the account write, so a day is fed exactly once. See docs/billing.md "Usage feed".
 */
import { NotFoundError } from '../../domain/errors';
import type { Provisioner } from '../../ports/provisioner';
import type { ServerRegistry } from '../../ports/servers';
import type { OwnedDayUsage, UsageRepository } from '../../ports/usage';
import { advanceTo } from '../billing/account-store';
import type { BillingDeps } from '../billing/billing-deps';
import { CATCH_UP_DAYS, type FeedOutcome } from '../billing/usage-feed';

export { CATCH_UP_DAYS, type FeedOutcome };
export { usageDayFor } from './usage-collect';

export type UsageJobDeps = BillingDeps & {
  servers: Pick<ServerRegistry, 'list'>;
  provisioner: Pick<Provisioner, 'report'>;
  usage: UsageRepository;
};

/** Servers asked at once (an SSM report can take a while). */
const SERVER_CONCURRENCY = 4;

export interface UsageDayResult {
  day: string;
  servers: { serverId: string; ok: boolean; users: number; error?: string }[];
  /** Users whose figures were stored. */
  stored: number;
  /** Reported usernames that no reseller owns (left alone). */
  unknownUsers: string[];
  billing: Record<FeedOutcome, number> & { failed: { account: string; error: string }[] };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function runUsageDay(deps: UsageJobDeps, day: string): Promise<UsageDayResult> {
  const result: UsageDayResult = {
    day,
    servers: [],
    stored: 0,
    unknownUsers: [],
    billing: { applied: 0, carried: 0, already: 0, 'no-account': 0, closed: 0, 'before-start': 0, failed: [] },
  };
  const servers = await deps.servers.list();
  const reports = await mapLimit(servers, SERVER_CONCURRENCY, async (s) => ({ serverId: s.id, report: await deps.provisioner.report(s.id, day) }));
  const accounts = new Map<string, { resellerId: string; username: string }>();
  for (const { serverId, report } of reports) {
    if (!report.ok) {
      result.servers.push({ serverId, ok: false, users: 0, error: report.error });
      continue;
    }
    result.servers.push({ serverId, ok: true, users: report.users.length });
    const owners = await deps.usage.ownersOf(report.users.map((u) => u.username));
    const owned: OwnedDayUsage[] = [];
    for (const u of report.users) {
      const resellerId = owners.get(u.username);
      if (!resellerId) {
        result.unknownUsers.push(u.username);
        continue;
      }
      owned.push({ ...u, resellerId });
      accounts.set(`${resellerId}/${u.username}`, { resellerId, username: u.username });
    }
    await deps.usage.putServerDay(serverId, day, owned);
    result.stored += owned.length;
  }
  for (const { resellerId, username } of accounts.values()) {
    try {
      result.billing[await feedAccount(deps, resellerId, username, day)]++;
    } catch (e) {
      result.billing.failed.push({ account: `${resellerId}/${username}`, error: (e as Error).message });
    }
  }
  return result;
}

/**
 * Feeds the user's stored usage up to `day` (and any stored days missed before it, at most
 * CATCH_UP_DAYS back) to its billing account, without moving the account past `day`.
 */
export async function feedAccount(deps: BillingDeps, resellerId: string, username: string, day: string): Promise<FeedOutcome> {
  const outcomes = new Map<string, FeedOutcome>();
  try {
    await advanceTo(deps, resellerId, username, day, { usageThrough: day, outcomes });
  } catch (e) {
    if (e instanceof NotFoundError) return 'no-account';
    throw e;
  }
  return outcomes.get(day) ?? 'already';
}
