/**
 * The Stats menu of the seed: "User Stats" (every user's storage and traffic against the limits,
 * with "Show exceeders"), "Traffic" (each day of a month, web and FTP, the monthly summary and the
 * two preceding months, deleted users included) and one user's daily detail. Figures come from
 * the daily usage job; the month defaults to the current one by the clock.
 */
import { NotFoundError, ValidationError } from '../../domain/errors';
import {
  MONTH_PATTERN,
  addMonths,
  daysOfMonth,
  gbForDisplay,
  latestDisk,
  mbForDisplay,
  storageExceeded,
  sumTraffic,
  traffic,
  trafficExceeded,
  type DayUsage,
} from '../../domain/stats/usage';
import type { HostedUser } from '../../domain/controlpanel/users';
import type { Principal } from '../../ports/identity';
import type { UserRepository } from '../../ports/controlpanel';
import type { Clock } from '../../ports/clock';
import type { UsageRepository, UserMonthUsage } from '../../ports/usage';
import { resellerOf } from '../actor';

export interface StatsDeps {
  clock: Clock;
  users: Pick<UserRepository, 'list' | 'get'>;
  usage: UsageRepository;
}

/** Pages of users read at most per /stats/users call while looking for exceeders. */
const MAX_PAGES = 20;

function monthFor(deps: StatsDeps, month: string | undefined): string {
  if (month === undefined || month === '') return deps.clock.now().toISOString().slice(0, 7);
  if (!MONTH_PATTERN.test(month)) throw ValidationError.field('month', 'must be a month YYYY-MM');
  return month;
}

function trafficView(t: { webBytes: number; ftpBytes: number }) {
  const f = traffic(t);
  return { ...f, totalGb: gbForDisplay(f.totalBytes) };
}

/** One user's row of User Stats. */
function userRow(user: HostedUser, month: string, current: UserMonthUsage | undefined, previous: UserMonthUsage | undefined) {
  const t = sumTraffic(Object.values(current?.days ?? {}));
  const disk = latestDisk(current?.days ?? {}) ?? latestDisk(previous?.days ?? {});
  const storageLimit = user.limits.storageMb;
  const trafficLimit = user.limits.trafficGb;
  const storage = {
    usedKb: disk?.diskKb ?? 0,
    usedMb: mbForDisplay(disk?.diskKb ?? 0),
    limitMb: storageLimit,
    measuredOn: disk?.day ?? null,
    exceeded: disk ? storageExceeded(disk.diskKb, storageLimit) : false,
  };
  const trafficRow = { ...trafficView(t), limitGb: trafficLimit, exceeded: trafficExceeded(t.totalBytes, trafficLimit) };
  return {
    username: user.username,
    status: user.status,
    name: `${user.personal.firstName} ${user.personal.lastName}`,
    month,
    storage,
    traffic: trafficRow,
    exceeded: storage.exceeded || trafficRow.exceeded,
  };
}
export type UserStatsRow = ReturnType<typeof userRow>;

/**
 * User Stats: a page of users (by username, `search` a prefix) with storage used (the latest
 * measurement) and this month's traffic against their limits. With `exceeders`, only users over a
 * limit: pages are read until `limit` rows are found (each read asks only for the rows still
 * missing, so a page never holds more than `limit`), and `nextCursor` continues from there.
 */
export async function userStats(
  deps: StatsDeps,
  actor: Principal,
  input: { search?: string; exceeders?: boolean; month?: string; limit: number; cursor?: string },
) {
  const resellerId = resellerOf(actor);
  const month = monthFor(deps, input.month);
  const months = [month, addMonths(month, -1)];
  const rows: UserStatsRow[] = [];
  let cursor = input.cursor;
  let nextCursor: string | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await deps.users.list(resellerId, { search: input.search, limit: input.limit - rows.length, cursor });
    if (page.items.length) {
      const usage = await deps.usage.userMonths(resellerId, page.items.map((u) => u.username), months);
      const find = (u: string, m: string) => usage.find((x) => x.username === u && x.month === m);
      for (const user of page.items) {
        const row = userRow(user, month, find(user.username, month), find(user.username, months[1]!));
        if (!input.exceeders || row.exceeded) rows.push(row);
      }
    }
    nextCursor = page.nextCursor;
    if (!input.exceeders || rows.length >= input.limit || !nextCursor) break;
    cursor = nextCursor;
  }
  return { month, users: rows, nextCursor };
}

/**
 * Traffic: each day of `month` (web, FTP, total; deleted users included, since the figures are the
 * reseller's day totals), the month's summary and the summaries of the two preceding months.
 */
export async function resellerTraffic(deps: StatsDeps, actor: Principal, input: { month?: string }) {
  const resellerId = resellerOf(actor);
  const month = monthFor(deps, input.month);
  const first = addMonths(month, -2);
  const stored = await deps.usage.resellerMonths(resellerId, first, month);
  const byDay = new Map<string, { webBytes: number; ftpBytes: number }>();
  for (const m of stored) {
    for (const [day, t] of Object.entries(m.days)) {
      const prev = byDay.get(day) ?? { webBytes: 0, ftpBytes: 0 };
      byDay.set(day, { webBytes: prev.webBytes + t.webBytes, ftpBytes: prev.ftpBytes + t.ftpBytes });
    }
  }
  const summary = (m: string) => {
    const days = daysOfMonth(m).map((d) => byDay.get(d) ?? { webBytes: 0, ftpBytes: 0 });
    return { month: m, ...trafficView(sumTraffic(days)) };
  };
  return {
    month,
    days: daysOfMonth(month).map((day) => ({ day, ...trafficView(byDay.get(day) ?? { webBytes: 0, ftpBytes: 0 }) })),
    summary: summary(month),
    previousMonths: [addMonths(month, -1), first].map(summary),
  };
}

/** One user's daily detail of `month`; a deleted user of this reseller still shows its figures. */
export async function userDailyStats(deps: StatsDeps, actor: Principal, username: string, input: { month?: string }) {
  const resellerId = resellerOf(actor);
  const month = monthFor(deps, input.month);
  const [user, owned] = await Promise.all([deps.users.get(resellerId, username), deps.usage.ownsUser(resellerId, username)]);
  if (!user && !owned) throw new NotFoundError('user not found');
  const usage = await deps.usage.userMonth(resellerId, username, month);
  const dayRow = (day: string, u: DayUsage | undefined) => ({
    day,
    ...trafficView(u ?? { webBytes: 0, ftpBytes: 0 }),
    diskKb: u ? u.diskKb : null,
  });
  const total = sumTraffic(Object.values(usage.days));
  const disk = latestDisk(usage.days);
  return {
    username,
    month,
    deleted: !user,
    limits: user ? { storageMb: user.limits.storageMb, trafficGb: user.limits.trafficGb } : null,
    days: daysOfMonth(month).map((d) => dayRow(d, usage.days[d])),
    summary: {
      ...trafficView(total),
      trafficExceeded: user ? trafficExceeded(total.totalBytes, user.limits.trafficGb) : false,
      diskKb: disk?.diskKb ?? null,
      diskMeasuredOn: disk?.day ?? null,
      storageExceeded: user && disk ? storageExceeded(disk.diskKb, user.limits.storageMb) : false,
    },
  };
}

/** The reseller's measured usage for General -> Overview: this month's traffic and the latest disk total. */
export async function resellerUsage(deps: Pick<StatsDeps, 'clock' | 'usage'>, resellerId: string) {
  const month = deps.clock.now().toISOString().slice(0, 7);
  const stored = await deps.usage.resellerMonths(resellerId, addMonths(month, -1), month);
  let bytes = 0;
  let disk: { day: string; diskKb: number } | null = null;
  for (const m of stored) {
    if (m.month === month) bytes += sumTraffic(Object.values(m.days)).totalBytes;
    const last = latestDisk(m.days);
    if (last && (!disk || last.day > disk.day)) disk = last;
  }
  const diskKb = disk?.diskKb ?? 0;
  return { trafficGbThisMonth: gbForDisplay(bytes), storageMbMeasured: mbForDisplay(diskKb) };
}
