/**
 * Usage figures in the single table (see keys.userUsageMonth / keys.resellerUsageMonth):
 *
 *   PK R#<rid>  SK USAGE#D#<yyyy-mm-dd>#<username>  { diskKb, webBytes, ftpBytes, serverId }   (PutItem)
 *   PK R#<rid>  SK USAGE#U#<username>#<yyyy-mm>     d01..d31 = { diskKb, webBytes, ftpBytes }  (UpdateItem SET dNN)
 *   PK R#<rid>  SK USAGE#R#<yyyy-mm>                d01..d31 = { diskKb, webBytes, ftpBytes, users }
 *
 * A day's attribute is written with `SET dNN = :figures`, which creates the item when absent and
 * overwrites only that day: storing a day again writes the same values, so the job is idempotent,
 * and days of one month never clobber each other. The reseller's day total is recomputed from the
 * day's user items (a key query), so it keeps users deleted since the first run. Reads: one GetItem
 * for a user's month, BatchGetItem for a page of users, one key query for a reseller's months. No Scan.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayUsage } from '../../domain/stats/usage';
import type {
  ResellerDayTotal,
  ResellerMonthUsage,
  UsageRepository,
  UserDayUsage,
  UserMonthUsage,
} from '../../ports/usage';
import { TABLE, keys, type Key } from './keys';

const BATCH_GET = 100;
/** UpdateItems in flight at once when storing a day. */
const WRITE_CONCURRENCY = 16;

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
    const month = day.slice(0, 7);
    const writes: (() => Promise<unknown>)[] = users.flatMap((u) => {
      const figures = { diskKb: u.diskKb, webBytes: u.webBytes, ftpBytes: u.ftpBytes };
      return [
        () =>
          this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...keys.userUsageDay(resellerId, day, u.username), type: 'usageUserDay', username: u.username, day, serverId, ...figures },
            }),
          ),
        () => this.setDay(keys.userUsageMonth(resellerId, u.username, month), day, { type: 'usageUserMonth', username: u.username, month }, { ...figures, serverId }),
      ];
    });
    for (let i = 0; i < writes.length; i += WRITE_CONCURRENCY) {
      await Promise.all(writes.slice(i, i + WRITE_CONCURRENCY).map((w) => w()));
    }
    // The total last, from every user item of the day (consistent reads: the writes above included).
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
    await this.setDay(keys.resellerUsageMonth(resellerId, month), day, { type: 'usageResellerMonth', month }, { ...total });
    return total;
  }

  private setDay(key: Key, day: string, fixed: Record<string, string>, figures: Record<string, unknown>): Promise<unknown> {
    const names: Record<string, string> = { '#day': dayAttr(day) };
    const values: Record<string, unknown> = { ':day': figures };
    const sets = ['#day = :day'];
    Object.entries(fixed).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    });
    return this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async userMonth(resellerId: string, username: string, month: string): Promise<UserMonthUsage> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.userUsageMonth(resellerId, username, month), ConsistentRead: true }),
    );
    return { username, month, days: daysOf(out.Item, month, readUsage) };
  }

  async userMonths(resellerId: string, usernames: string[], months: string[]): Promise<UserMonthUsage[]> {
    const wanted = [...new Set(usernames)].flatMap((username) => months.map((month) => ({ username, month })));
    const found = new Map<string, Record<string, unknown>>();
    await inBatches(wanted, BATCH_GET, async (batch) => {
      for (const item of await this.batchGet(batch.map((w) => keys.userUsageMonth(resellerId, w.username, w.month)))) {
        found.set(item[TABLE.sortKey] as string, item);
      }
    });
    return wanted.map(({ username, month }) => ({
      username,
      month,
      days: daysOf(found.get(keys.userUsageMonth(resellerId, username, month).SK), month, readUsage),
    }));
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

  private async batchGet(wanted: Key[]): Promise<Record<string, unknown>[]> {
    if (!wanted.length) return [];
    let items: Record<string, unknown>[] = [];
    let request: Key[] = wanted;
    for (let attempt = 0; request.length; attempt++) {
      const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request } } }));
      items = items.concat(out.Responses?.[this.tableName] ?? []);
      request = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      if (request.length && attempt >= 5) {
        // Still throttled: fetch the rest one by one so the answer is complete.
        for (const k of request) {
          const one = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k }));
          if (one.Item) items.push(one.Item);
        }
        break;
      }
      if (request.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    return items;
  }
}
