/**
 * Stored usage figures (the daily usage job writes them, the Stats pages and the billing feed read
 * them). Everything lives under the reseller's partition and stays after a user is deleted, so
 * the Traffic page keeps counting deleted users' traffic.
 *
 * Writes are idempotent: storing a day again overwrites the same attributes with the same values.
 */
import type { DayUsage } from '../domain/stats/usage';

export interface UserDayUsage extends DayUsage {
  username: string;
}

/** A reseller's totals of one day (every server; users deleted since included). */
export interface ResellerDayTotal extends DayUsage {
  /** Users with figures that day. */
  users: number;
}

/** One user's figures of one month: day (YYYY-MM-DD) → figures. */
export interface UserMonthUsage {
  username: string;
  month: string;
  days: Record<string, DayUsage>;
  /**
   * The days of this month already fed to the user's billing account (written in the billing
   * transaction, so each day is fed exactly once), or null when the item has no such record: an
   * item written before per-day feeding, whose days up to the account's `usageThrough` count as fed.
   */
  fed: Set<string> | null;
}

/** One user's figures of a day as one server reported them, with the user's reseller. */
export interface OwnedDayUsage extends UserDayUsage {
  resellerId: string;
}

/** A reseller's totals of one month: day → totals. */
export interface ResellerMonthUsage {
  month: string;
  days: Record<string, ResellerDayTotal>;
}

export interface UsageRepository {
  /** The reseller of each hosted username (deleted users' tombstones included); unknown names are absent. */
  ownersOf(usernames: string[]): Promise<Map<string, string>>;
  /**
   * Stores one day of a reseller's users reported by one server, then recomputes the reseller's
   * total of the day from every user item of that day (so a re-run after a user was deleted keeps
   * that user's figures in the total). Returns the total.
   */
  putDay(resellerId: string, serverId: string, day: string, users: UserDayUsage[]): Promise<ResellerDayTotal>;
  /**
   * Stores one server's report of a day for many users of many resellers, in transactions of up to
   * 50 users (the day item and the month item of each), then recomputes the day total of every
   * reseller touched. Idempotent: the same report again writes the same values. Returns the number
   * of transactions sent (for the figures in docs/scale.md).
   */
  putServerDay(serverId: string, day: string, users: readonly OwnedDayUsage[]): Promise<{ transactions: number }>;
  /** One user's month (one read); empty days when nothing was stored. */
  userMonth(resellerId: string, username: string, month: string): Promise<UserMonthUsage>;
  /** Several users' months in batched reads; missing ones come back with empty days. */
  userMonths(resellerId: string, usernames: string[], months: string[]): Promise<UserMonthUsage[]>;
  /**
   * The months of many users of many resellers in batched consistent reads (BatchGetItem, 100 keys
   * each): the billing worker reads a whole batch of accounts' usage at once. Keyed `<reseller>/<user>`.
   */
  accountMonths(wanted: readonly { resellerId: string; username: string; months: readonly string[] }[]): Promise<Map<string, UserMonthUsage[]>>;
  /** The reseller's day totals of the months from `fromMonth` to `toMonth` (one key query). */
  resellerMonths(resellerId: string, fromMonth: string, toMonth: string): Promise<ResellerMonthUsage[]>;
  /** Is `username` (existing or deleted) a hosted user of this reseller? */
  ownsUser(resellerId: string, username: string): Promise<boolean>;
}
