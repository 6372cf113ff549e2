/**
 * Usage figures in the single table (see keys.userUsageMonth / keys.resellerUsageMonth):
 *
 *   PK R#<rid>  SK USAGE#D#<yyyy-mm-dd>#<username>  { diskKb, webBytes, ftpBytes, serverId }   (PutItem)
 *   PK R#<rid>  SK USAGE#U#<username>#<yyyy-mm>     d01..d31 = { diskKb, webBytes, ftpBytes },
 *                                                   fed = { dNN: true } (the days billing has taken)
 *   PK R#<rid>  SK USAGE#R#<yyyy-mm>                d01..d31 = { diskKb, webBytes, ftpBytes, users }
 *
 * A day's attribute is written with `SET dNN = :figures`, which creates the item when absent and
 * overwrites only that day: storing a day again writes the same values, so the job is idempotent,
 * and days of one month never clobber each other. The reseller's day total is recomputed from the
 * day's user items (a key query), so it keeps users deleted since the first run. Reads: one GetItem
 * for a user's month, BatchGetItem for a page of users, one key query for a reseller's months. No Scan.
 *
 * The month item is also the billing feed: billing reads it when it moves the account (BatchGetItem
 * per batch of accounts) and, in the account's own transaction, sets `fed.dNN` on the days it
 * billed, each only if not set yet (shared/adapters/dynamodb/billing-repository.ts). A server's
 * report goes in transactions of 50 users (day item + month item each) through the unit-of-work
 * executor; the month item's `fed` map is created empty by the first write (`if_not_exists`), so
 * writing figures again never touches what billing recorded.
 */
import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayUsage } from '../../domain/stats/usage';
import type {
  OwnedDayUsage,
  ResellerDayTotal,
  ResellerMonthUsage,
  UsageRepository,
  UserDayUsage,
  UserMonthUsage,
} from '../../ports/usage';
import { TABLE, keys, type Key } from './keys';
import { unitOfWork, type UnitItem } from './unit-of-work';

const BATCH_GET = 100;

/** The stored day total counts more users than this recompute: it stays. */
class NewerTotal extends Error {}
/** Users per transaction when storing a report (2 items each: DynamoDB takes 100 per transaction). */
export const USERS_PER_TRANSACTION = 50;
/** Transactions (and reseller totals) in flight at once when storing a report. */
const WRITE_CONCURRENCY = 4;

const dayAttr = (day: string) => `d${day.slice(8, 10)}`;
const DAY_ATTR = /^d(0[1-9]|[12]\d|3[01])$/;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v) || 0);

function daysOf<T>(item: Record<string, unknown> | undefined, month: string, read: (v: Record<string, unknown>) => T): Record<string, T> {
  const out: Record<string, T> = {};
  if (!item) return out;
  for (const [name, v] of Object.entries(item)) {
    if (!DAY_ATTR.test(name) || !v || typeof v !== 'object') continue;
    out[`${month}-${name.slice(1)}`] = read(v as Record<string, unknown>);
  }
  return out;
}

const readUsage = (v: Record<string, unknown>): DayUsage => ({
  diskKb: num(v.diskKb),
  webBytes: num(v.webBytes),
  ftpBytes: num(v.ftpBytes),
});
/** The `fed` map of a month item as days, or null for an item written before per-day feeding. */
function fedOf(item: Record<string, unknown> | undefined, month: string): Set<string> | null {
  if (!item) return new Set();
  const fed = item.fed;
  if (!fed || typeof fed !== 'object') return null;
  return new Set(Object.keys(fed as object).filter((k) => DAY_ATTR.test(k)).map((k) => `${month}-${k.slice(1)}`));
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const readTotal = (v: Record<string, unknown>): ResellerDayTotal => ({ ...readUsage(v), users: num(v.users) });

async function inBatches<T>(items: T[], size: number, run: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await run(items.slice(i, i + size));
}

export class DynamoUsageRepository implements UsageRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ownersOf(usernames: string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const unique = [...new Set(usernames)];
    await inBatches(unique, BATCH_GET, async (batch) => {
      for (const item of await this.batchGet(batch.map((u) => keys.userOwner(u)))) {
        if (typeof item.username === 'string' && typeof item.resellerId === 'string') owners.set(item.username, item.resellerId);
      }
    });
    return owners;
  }

  async ownsUser(resellerId: string, username: string): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.userOwner(username) }));
    return out.Item?.resellerId === resellerId;
  }

  async putDay(resellerId: string, serverId: string, day: string, users: UserDayUsage[]): Promise<ResellerDayTotal> {
    await this.writeUsers(serverId, day, users.map((u) => ({ ...u, resellerId })));
    return this.recomputeTotal(resellerId, day);
  }

  async putServerDay(serverId: string, day: string, users: readonly OwnedDayUsage[]): Promise<{ transactions: number }> {
    const transactions = await this.writeUsers(serverId, day, users);
    await mapLimit([...new Set(users.map((u) => u.resellerId))], WRITE_CONCURRENCY, async (rid) => {
      await this.recomputeTotal(rid, day);
    });
    return { transactions };
  }

  /** The users' day items and month items, 50 users per transaction. */
  private async writeUsers(serverId: string, day: string, users: readonly OwnedDayUsage[]): Promise<number> {
    const month = day.slice(0, 7);
    // One item appears once per transaction: a user listed twice keeps its last figures.
    const unique = [...new Map(users.map((u) => [`${u.resellerId}/${u.username}`, u])).values()];
    const units: UnitItem[][] = [];
    for (let i = 0; i < unique.length; i += USERS_PER_TRANSACTION) {
      units.push(
        unique.slice(i, i + USERS_PER_TRANSACTION).flatMap((u): UnitItem[] => {
          const figures = { diskKb: u.diskKb, webBytes: u.webBytes, ftpBytes: u.ftpBytes };
          return [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.userUsageDay(u.resellerId, day, u.username), type: 'usageUserDay', username: u.username, day, serverId, ...figures },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.userUsageMonth(u.resellerId, u.username, month),
                UpdateExpression: 'SET #day = :day, #type = :type, #username = :username, #month = :month, #fed = if_not_exists(#fed, :noDays)',
                ExpressionAttributeNames: { '#day': dayAttr(day), '#type': 'type', '#username': 'username', '#month': 'month', '#fed': 'fed' },
                ExpressionAttributeValues: { ':day': { ...figures, serverId }, ':type': 'usageUserMonth', ':username': u.username, ':month': month, ':noDays': {} },
              },
            },
          ];
        }),
      );
    }
    const executor = unitOfWork(this.db);
    await mapLimit(units, WRITE_CONCURRENCY, async (unit) => {
      await executor.run(unit);
    });
    return units.length;
  }

  /** The reseller's day total from every user item of the day (consistent reads: the writes before included). */
  private async recomputeTotal(resellerId: string, day: string): Promise<ResellerDayTotal> {
    const month = day.slice(0, 7);
    const total: ResellerDayTotal = { diskKb: 0, webBytes: 0, ftpBytes: 0, users: 0 };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: { ':pk': keys.partitionOf(resellerId), ':prefix': keys.usageDayPrefix(day) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const u = readUsage(item);
        total.diskKb += u.diskKb;
        total.webBytes += u.webBytes;
        total.ftpBytes += u.ftpBytes;
        total.users++;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    // Collectors of several servers recompute the same total at once: a total of fewer users (a
    // query that ran before another server's items were written) never replaces one of more.
    const key = keys.resellerUsageMonth(resellerId, month);
    try {
      await unitOfWork(this.db).run([
        {
          Update: {
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #day = :day, #type = :type, #month = :month',
            ConditionExpression: 'attribute_not_exists(#day) OR #day.#users <= :users',
            ExpressionAttributeNames: { '#day': dayAttr(day), '#type': 'type', '#month': 'month', '#users': 'users' },
            ExpressionAttributeValues: { ':day': { ...total }, ':type': 'usageResellerMonth', ':month': month, ':users': total.users },
          },
          onConditionFailed: new NewerTotal(),
        },
      ]);
    } catch (e) {
      if (!(e instanceof NewerTotal)) throw e;
    }
    return total;
  }

  async userMonth(resellerId: string, username: string, month: string): Promise<UserMonthUsage> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.userUsageMonth(resellerId, username, month), ConsistentRead: true }),
    );
    return { username, month, days: daysOf(out.Item, month, readUsage), fed: fedOf(out.Item, month) };
  }

  async userMonths(resellerId: string, usernames: string[], months: string[]): Promise<UserMonthUsage[]> {
    const wanted = [...new Set(usernames)].flatMap((username) => months.map((month) => ({ username, month })));
    const found = new Map<string, Record<string, unknown>>();
    await inBatches(wanted, BATCH_GET, async (batch) => {
      // Consistent: billing reads what the collector has just written (and what it fed itself).
      for (const item of await this.batchGet(batch.map((w) => keys.userUsageMonth(resellerId, w.username, w.month)), true)) {
        found.set(item[TABLE.sortKey] as string, item);
      }
    });
    return wanted.map(({ username, month }) => {
      const item = found.get(keys.userUsageMonth(resellerId, username, month).SK);
      return { username, month, days: daysOf(item, month, readUsage), fed: fedOf(item, month) };
    });
  }

  async accountMonths(wanted: readonly { resellerId: string; username: string; months: readonly string[] }[]): Promise<Map<string, UserMonthUsage[]>> {
    const keysWanted = wanted.flatMap((w) => w.months.map((month) => keys.userUsageMonth(w.resellerId, w.username, month)));
    const found = new Map<string, Record<string, unknown>>();
    await inBatches(keysWanted, BATCH_GET, async (batch) => {
      for (const item of await this.batchGet(batch, true)) found.set(`${item[TABLE.partitionKey]}|${item[TABLE.sortKey]}`, item);
    });
    const out = new Map<string, UserMonthUsage[]>();
    for (const w of wanted) {
      out.set(
        `${w.resellerId}/${w.username}`,
        w.months.map((month) => {
          const k = keys.userUsageMonth(w.resellerId, w.username, month);
          const item = found.get(`${k.PK}|${k.SK}`);
          return { username: w.username, month, days: daysOf(item, month, readUsage), fed: fedOf(item, month) };
        }),
      );
    }
    return out;
  }

  async resellerMonths(resellerId: string, fromMonth: string, toMonth: string): Promise<ResellerMonthUsage[]> {
    const out: ResellerMonthUsage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
          ExpressionAttributeValues: {
            ':pk': keys.partitionOf(resellerId),
            ':from': `${keys.resellerUsagePrefix}${fromMonth}`,
            ':to': `${keys.resellerUsagePrefix}${toMonth}`,
          },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const month = item.month as string;
        out.push({ month, days: daysOf(item, month, readTotal) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async batchGet(wanted: Key[], consistent = false): Promise<Record<string, unknown>[]> {
    if (!wanted.length) return [];
    let items: Record<string, unknown>[] = [];
    let request: Key[] = wanted;
    for (let attempt = 0; request.length; attempt++) {
      const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: consistent } } }));
      items = items.concat(out.Responses?.[this.tableName] ?? []);
      request = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      if (request.length && attempt >= 5) {
        // Still throttled: fetch the rest one by one so the answer is complete.
        for (const k of request) {
          const one = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: consistent }));
          if (one.Item) items.push(one.Item);
        }
        break;
      }
      if (request.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    return items;
  }
}
