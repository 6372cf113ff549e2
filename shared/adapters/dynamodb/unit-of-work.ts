/**
 * The one place that writes to DynamoDB with conditions. Repositories describe a unit of work as
 * items (Put, Update, Delete, ConditionCheck, exactly as TransactWriteItems takes them), each with
 * what its failed condition means; the executor alone sends them (one TransactWriteItems, or a
 * single write when the unit is one item: the same effect in one cheaper call), retries what is
 * only contention (TransactionConflict, throttling, internal errors) with full-jitter exponential
 * backoff a bounded number of times, and maps each cancellation reason to the item's domain error.
 * A race still lost after the retries is ConcurrentChangeError (409 CONCURRENT_CHANGE), never a 500.
 * See docs/consistency.md.
 */
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrentChangeError, ConflictError, ErrorCode } from '../../domain/errors';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Returned by a condition handler: the condition failed for a reason that may pass now; build the unit again and retry. */
export const RETRY = Symbol('retry');

/**
 * What a failed condition on an item means: an error to throw, or a function of the item as it is
 * (when the item asked for ReturnValuesOnConditionCheckFailure: 'ALL_OLD') that returns the error,
 * or RETRY. Without one, a failed condition means the item changed meanwhile (CONCURRENT_CHANGE).
 */
export type OnConditionFailed =
  | Error
  | ((current: Record<string, unknown> | undefined, unit: FailedUnit) => Error | typeof RETRY | Promise<Error | typeof RETRY>);

/** What the handler of the deciding item also learns: every item of the unit whose condition failed (indexes). */
export interface FailedUnit {
  failed: number[];
}

export type UnitItem = TransactItem & { onConditionFailed?: OnConditionFailed };

/** DynamoDB's limit of items per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface RetryPolicy {
  /** Sends of one unit in all (the first one included). */
  attempts: number;
  /** Backoff before attempt n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 10, maxDelayMs: 400 };

/** Cancellation codes (and exception names of single writes) that mean contention, not a verdict. */
const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const RETRYABLE_ERRORS = new Set([
  'TransactionConflictException',
  'TransactionInProgressException',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
]);

export interface UnitOptions {
  /** What to throw when the unit has more items than one transaction takes. */
  tooLarge?: () => Error;
  /** For a single Update: the attributes to return (e.g. ALL_NEW). */
  returnValues?: 'ALL_NEW' | 'ALL_OLD' | 'UPDATED_NEW' | 'UPDATED_OLD';
}

type Build = UnitItem[] | (() => UnitItem[] | Promise<UnitItem[]>);

/** Told of every unit after it committed (e.g. webhook events announced to their fan-out); must not throw. */
export type CommitObserver = (ops: readonly TransactItem[]) => Promise<void>;

/**
 * Leaves items out of a unit before each send (the webhook events of a reseller with no endpoint:
 * webhook-subscriptions.ts). Answers the items to send and, for each, its index in the unit given,
 * so condition handlers still learn the indexes of their own unit; undefined sends it whole.
 */
export type UnitFilter = (items: readonly UnitItem[]) => Promise<{ items: UnitItem[]; origin: number[] } | undefined>;

export class UnitOfWork {
  private readonly observers: CommitObserver[] = [];
  private filter: UnitFilter | undefined;

  /** Registers an observer of committed units (once per process, at composition). */
  onCommit(observer: CommitObserver): void {
    if (!this.observers.includes(observer)) this.observers.push(observer);
  }

  /** Sets the filter of units before they are sent (once per process, at composition). */
  useFilter(filter: UnitFilter): void {
    this.filter ??= filter;
  }

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /**
   * Writes the unit all-or-nothing. `build` may be a function: it is called again when a condition
   * handler answers RETRY (e.g. with a refreshed guard). Returns the attributes a single Update
   * asked for with `returnValues`.
   */
  async run(build: Build, options: UnitOptions = {}): Promise<Record<string, unknown> | undefined> {
    let items = await (typeof build === 'function' ? build() : build);
    for (let attempt = 1; ; attempt++) {
      if (items.length === 0) return undefined;
      if (items.length > MAX_TRANSACTION_ITEMS) {
        throw options.tooLarge?.() ?? new ConflictError('too many changes for one request', ErrorCode.TOO_MANY_CHANGES);
      }
      // Filtered on every attempt, from the unit as built (or rebuilt for a retry).
      const filtered = this.filter ? await this.filter(items) : undefined;
      const sent = filtered?.items ?? items;
      if (sent.length === 0) return undefined;
      const outcome = await this.send(sent, options);
      if (outcome.done) {
        for (const o of this.observers) await o(sent).catch(() => undefined);
        return outcome.attributes;
      }
      if (outcome.failed !== undefined) {
        const handler = sent[outcome.failed]!.onConditionFailed;
        const failed = (outcome.all ?? [outcome.failed]).map((i) => (filtered ? filtered.origin[i]! : i));
        const verdict = typeof handler === 'function' ? await handler(outcome.current, { failed }) : (handler ?? new ConcurrentChangeError());
        if (verdict !== RETRY) throw verdict;
        if (typeof build === 'function' && attempt < this.policy.attempts) items = await build();
      }
      if (attempt >= this.policy.attempts) throw new ConcurrentChangeError();
      await sleep(Math.random() * Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1)));
    }
  }

  private async send(
    items: UnitItem[],
    options: UnitOptions,
  ): Promise<{ done: true; attributes?: Record<string, unknown> } | { done: false; failed?: number; all?: number[]; current?: Record<string, unknown> }> {
    const ops = items.map(({ onConditionFailed: _, ...op }) => op as TransactItem);
    try {
      if (ops.length === 1 && !ops[0]!.ConditionCheck) return { done: true, attributes: await this.single(ops[0]!, options) };
      await this.db.send(new TransactWriteCommand({ TransactItems: ops }));
      return { done: true };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        return { done: false, failed: 0, current: e.Item ? unmarshall(e.Item) : undefined };
      }
      if (e instanceof TransactionCanceledException) {
        const reasons = e.CancellationReasons ?? [];
        const all = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
        const failed = all[0];
        if (failed !== undefined) {
          const item = reasons[failed]?.Item;
          return { done: false, failed, all, current: item ? unmarshall(item as Parameters<typeof unmarshall>[0]) : undefined };
        }
        if (reasons.some((r) => r.Code && RETRYABLE_REASONS.has(r.Code))) return { done: false };
        throw e;
      }
      if (e instanceof Error && RETRYABLE_ERRORS.has(e.name)) return { done: false };
      throw e;
    }
  }

  private async single(op: TransactItem, options: UnitOptions): Promise<Record<string, unknown> | undefined> {
    if (op.Put) {
      await this.db.send(new PutCommand(op.Put));
      return undefined;
    }
    if (op.Delete) {
      await this.db.send(new DeleteCommand(op.Delete));
      return undefined;
    }
    if (op.Update) {
      const out = await this.db.send(new UpdateCommand({ ...op.Update, ReturnValues: options.returnValues }));
      return out.Attributes;
    }
    throw new Error('a unit item needs exactly one of Put, Update, Delete, ConditionCheck');
  }
}

/** Each repository's executor for its client (stateless; one per client keeps the policy in one place). */
const units = new WeakMap<DynamoDBDocumentClient, UnitOfWork>();
export function unitOfWork(db: DynamoDBDocumentClient): UnitOfWork {
  let u = units.get(db);
  if (!u) units.set(db, (u = new UnitOfWork(db)));
  return u;
}
