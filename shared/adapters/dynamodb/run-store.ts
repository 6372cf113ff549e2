import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentChangeError } from '../../domain/errors';
import type { Page, PageRequest } from '../../ports/page';
import { isComplete, type Run, type RunStore, type UnitOutcome } from '../../ports/runs';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, shardOf, TABLE } from './keys';
import { unitOfWork, type TransactItem, type UnitItem } from './unit-of-work';

const SHARDS = keys.runCounterShards;
/** Units per transaction: with their counters, well under DynamoDB's 100 items. */
const UNITS_PER_WRITE = 50;
const ATTEMPTS = 12;

type TxItem = TransactItem;
type Counts = { planned: number; done: number; failed: number; parts: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A unit's conditions failed: the indexes of the items whose condition failed (markers there already). */
class ConditionsFailed extends Error {
  constructor(readonly failed: number[]) {
    super('conditions failed');
  }
}
/** The one item of a unit failed its condition. */
class Exists extends Error {}
const jitter = (attempt: number) => sleep(Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random()));

/**
 * Runs in the one table (keys.ts): the header, `runCounterShards` counter items, and a marker per
 * counted unit and planning part in the counter's partition. A count changes only in the same
 * transaction as the marker that proves it was not counted before, so a unit delivered twice or
 * reported by two workers at once counts once, and no increment is lost.
 */
export class DynamoRunStore implements RunStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async start(r: { id: string; kind: string; day: string; planParts: number; startedAt: string }): Promise<{ run: Run; created: boolean }> {
    try {
      await unitOfWork(this.db).run([
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.run(r.id), ...keys.runIndex(r.day, r.kind, r.id), type: 'run', ...r },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
          onConditionFailed: new Exists(),
        },
      ]);
      return { run: { ...r, planned: 0, done: 0, failed: 0, plannedParts: 0, finishedAt: null }, created: true };
    } catch (e) {
      if (!(e instanceof Exists)) throw e;
      const run = await this.get(r.id);
      if (!run) throw new Error(`run ${r.id} exists but cannot be read`);
      return { run, created: false };
    }
  }

  async setPlanned(runId: string, part: string, count: number): Promise<void> {
    const shard = shardOf(part, SHARDS);
    const key = keys.runPart(runId, shard, part);
    for (let attempt = 0; ; attempt++) {
      const existing = attempt === 0 ? undefined : (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
      const old = existing ? (existing.count as number) : null;
      if (old !== null && old >= count) return;
      const items: TxItem[] = [
        old === null
          ? { Put: { TableName: this.tableName, Item: { ...key, type: 'runPart', part, count }, ConditionExpression: 'attribute_not_exists(PK)' } }
          : {
              Update: {
                TableName: this.tableName,
                Key: key,
                UpdateExpression: 'SET #c = :new',
                ConditionExpression: '#c = :old',
                ExpressionAttributeNames: { '#c': 'count' },
                ExpressionAttributeValues: { ':new': count, ':old': old },
              },
            },
        this.counterUpdate(runId, shard, { planned: count - (old ?? 0), done: 0, failed: 0, parts: old === null ? 1 : 0 }),
      ];
      const outcome = await this.transact(items);
      if (outcome === 'ok') return;
      if (attempt >= ATTEMPTS) throw new Error(`could not record the plan of ${runId}/${part}`);
      if (outcome === 'conflict') await jitter(attempt);
    }
  }

  async plannedParts(runId: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (let shard = 0; shard < SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: { ':pk': keys.runCounter(runId, shard).PK, ':p': 'P#' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const i of page.Items ?? []) out.add(i.part as string);
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return out;
  }

  async record(runId: string, outcomes: readonly { unit: string; outcome: UnitOutcome }[]): Promise<number> {
    const byUnit = new Map<string, UnitOutcome>();
    for (const o of outcomes) if (byUnit.get(o.unit) !== 'done') byUnit.set(o.unit, o.outcome);
    const all = [...byUnit];
    let counted = 0;
    for (let i = 0; i < all.length; i += UNITS_PER_WRITE) counted += await this.recordChunk(runId, all.slice(i, i + UNITS_PER_WRITE));
    return counted;
  }

  /** New markers first; those already there: a failed one may turn done, anything else is counted already. */
  private async recordChunk(runId: string, chunk: [string, UnitOutcome][]): Promise<number> {
    let fresh = chunk;
    let upgrades: string[] = [];
    let counted = 0;
    for (let attempt = 0; fresh.length || upgrades.length; attempt++) {
      if (attempt > ATTEMPTS * 2) throw new Error(`could not record ${fresh.length + upgrades.length} outcomes of run ${runId}`);
      if (fresh.length) {
        const items: TxItem[] = fresh.map(([unit, outcome]) => ({
          Put: {
            TableName: this.tableName,
            Item: { ...keys.runUnit(runId, shardOf(unit, SHARDS), unit), type: 'runUnit', outcome },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        }));
        items.push(...this.counterUpdates(runId, fresh.map(([unit, outcome]) => ({ unit, done: outcome === 'done' ? 1 : 0, failed: outcome === 'failed' ? 1 : 0 }))));
        const res = await this.transact(items);
        if (res === 'ok') {
          counted += fresh.length;
          fresh = [];
        } else if (res === 'conflict') {
          await jitter(attempt);
        } else {
          const seen = new Set(res.filter((i) => i < fresh.length));
          upgrades.push(...fresh.filter((f, i) => seen.has(i) && f[1] === 'done').map((f) => f[0]));
          fresh = fresh.filter((_f, i) => !seen.has(i));
        }
        continue;
      }
      const items: TxItem[] = upgrades.map((unit) => ({
        Update: {
          TableName: this.tableName,
          Key: keys.runUnit(runId, shardOf(unit, SHARDS), unit),
          UpdateExpression: 'SET outcome = :done',
          ConditionExpression: 'outcome = :failed',
          ExpressionAttributeValues: { ':done': 'done', ':failed': 'failed' },
        },
      }));
      items.push(...this.counterUpdates(runId, upgrades.map((unit) => ({ unit, done: 1, failed: -1 }))));
      const res = await this.transact(items);
      if (res === 'ok') {
        counted += upgrades.length;
        upgrades = [];
      } else if (res === 'conflict') {
        await jitter(attempt);
      } else {
        const seen = new Set(res);
        upgrades = upgrades.filter((_u, i) => !seen.has(i));
      }
    }
    return counted;
  }

  private counterUpdates(runId: string, deltas: { unit: string; done: number; failed: number }[]): TxItem[] {
    const byShard = new Map<number, Counts>();
    for (const d of deltas) {
      const s = shardOf(d.unit, SHARDS);
      const c = byShard.get(s) ?? { planned: 0, done: 0, failed: 0, parts: 0 };
      c.done += d.done;
      c.failed += d.failed;
      byShard.set(s, c);
    }
    return [...byShard].map(([s, c]) => this.counterUpdate(runId, s, c));
  }

  private counterUpdate(runId: string, shard: number, c: Counts): TxItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.runCounter(runId, shard),
        UpdateExpression: 'SET #t = :t ADD planned :p, done :d, failed :f, parts :n',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':t': 'runCounter', ':p': c.planned, ':d': c.done, ':f': c.failed, ':n': c.parts },
      },
    };
  }

  /**
   * 'ok', 'conflict' (still contended after the executor's retries: try again), or the indexes of
   * the items whose condition failed. Sent by the unit-of-work executor (retries with jitter).
   */
  private async transact(items: TxItem[]): Promise<'ok' | 'conflict' | number[]> {
    const unit: UnitItem[] = items.map((item) => ({ ...item, onConditionFailed: (_current, u) => new ConditionsFailed(u.failed) }));
    try {
      await unitOfWork(this.db).run(unit);
      return 'ok';
    } catch (e) {
      if (e instanceof ConditionsFailed) return e.failed;
      if (e instanceof ConcurrentChangeError) return 'conflict';
      throw e;
    }
  }

  async get(runId: string): Promise<Run | undefined> {
    const [run] = await this.withCounts([runId]);
    return run;
  }

  async finishIfComplete(runId: string, at: string): Promise<{ run: Run | undefined; finishedNow: boolean }> {
    const run = await this.get(runId);
    if (!run || run.finishedAt || !isComplete(run)) return { run, finishedNow: false };
    try {
      await unitOfWork(this.db).run([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.run(runId),
            UpdateExpression: 'SET finishedAt = :at',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(finishedAt)',
            ExpressionAttributeValues: { ':at': at },
          },
          onConditionFailed: new Exists(),
        },
      ]);
      return { run: { ...run, finishedAt: at }, finishedNow: true };
    } catch (e) {
      if (!(e instanceof Exists)) throw e;
      return { run: await this.get(runId), finishedNow: false };
    }
  }

  async list(filter: { kind?: string; day?: string }, page: PageRequest): Promise<Page<Run>> {
    const prefix = filter.day ? `${filter.day}#${filter.kind ? `${filter.kind}#` : ''}` : undefined;
    const byKindOnly = filter.kind !== undefined && !filter.day;
    const names: Record<string, string> = { '#pk': TABLE.gsi1.partitionKey };
    const values: Record<string, unknown> = { ':pk': keys.runIndexPartition };
    if (prefix) {
      names['#sk'] = TABLE.gsi1.sortKey;
      values[':prefix'] = prefix;
    }
    if (byKindOnly) {
      names['#kind'] = 'kind';
      values[':kind'] = filter.kind;
    }
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        // Runs are a few a day: filtering one kind out of the day-ordered index reads little.
        FilterExpression: byKindOnly ? '#kind = :kind' : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, TABLE.gsi1.partitionKey, keys.runIndexPartition),
      }),
    );
    const ids = (out.Items ?? []).map((i) => i.id as string);
    return { items: await this.withCounts(ids), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** Headers and their counter shards in as few consistent BatchGetItem calls as fit (100 keys each). */
  private async withCounts(runIds: string[]): Promise<Run[]> {
    const wanted = runIds.flatMap((id) => [keys.run(id), ...Array.from({ length: SHARDS }, (_v, s) => keys.runCounter(id, s))]);
    const items = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < wanted.length; i += 100) {
      let req: Record<string, unknown>[] | undefined = wanted.slice(i, i + 100) as unknown as Record<string, unknown>[];
      for (let attempt = 0; req?.length; attempt++) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: req, ConsistentRead: true } } }));
        for (const it of out.Responses?.[this.tableName] ?? []) items.set(`${it.PK}|${it.SK}`, it);
        req = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
        if (req?.length) await jitter(attempt);
      }
    }
    const runs: Run[] = [];
    for (const id of runIds) {
      const h = items.get(`${keys.run(id).PK}|${keys.run(id).SK}`);
      if (!h) continue;
      const run: Run = {
        id,
        kind: h.kind as string,
        day: h.day as string,
        planned: 0,
        done: 0,
        failed: 0,
        planParts: h.planParts as number,
        plannedParts: 0,
        startedAt: h.startedAt as string,
        finishedAt: (h.finishedAt as string | undefined) ?? null,
      };
      for (let s = 0; s < SHARDS; s++) {
        const k = keys.runCounter(id, s);
        const c = items.get(`${k.PK}|${k.SK}`);
        if (!c) continue;
        run.planned += (c.planned as number) ?? 0;
        run.done += (c.done as number) ?? 0;
        run.failed += (c.failed as number) ?? 0;
        run.plannedParts += (c.parts as number) ?? 0;
      }
      runs.push(run);
    }
    return runs;
  }
}
