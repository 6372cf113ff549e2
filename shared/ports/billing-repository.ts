import { ConcurrentChangeError } from '../domain/errors';
import type { LedgerLine } from '../domain/billing/ledger';
import type { PlanVersions } from '../domain/billing/plan-versions';
import type { Message } from './message-log';
import type { WebhookEvent } from '../domain/webhooks';
import type { Page, PageRequest } from './page';
import type { IdempotentCompletion } from './idempotency';

/** A ledger line as stored: the engine's lines plus payments and the reseller's adjustments. */
export interface StoredLine extends Omit<LedgerLine, 'type'> {
  type: LedgerLine['type'] | 'payment' | 'adjustment';
  note?: string;
  /** The reseller's reference of a payment or adjustment: unique per account and kind, for its life. */
  reference?: string;
}

/** A payment's or adjustment's reference, claimed once for the life of the account. */
export interface ReferenceClaim {
  kind: 'payment' | 'adjustment';
  reference: string;
  line: StoredLine;
}

export interface StoredPlan {
  templateId: string;
  versions: PlanVersions;
  version: number;
  updatedAt: string;
}

export interface StoredAccount {
  resellerId: string;
  username: string;
  templateId: string;
  /** The engine state (stateToJSON), without lines or notices: those live in the ledger and the log. */
  state: unknown;
  appliedChanges: number;
  /** Optimistic lock: every save is conditional on the version read. */
  version: number;
  /** Last day whose usage reports were applied (the daily job's marker). */
  usageThrough: string | null;
  /**
   * The next day the daily billing run must advance this account (a due item exists for it), or
   * null when nothing is scheduled (closed, suspended, a trial without end). Absent on old items.
   */
  dueDay?: string | null;
  openedAt: string;
  updatedAt: string;
}

export interface BillingWrite {
  account: StoredAccount;
  /** The version read, or null to create the account. */
  expectedVersion: number | null;
  lines: StoredLine[];
  messages: Message[];
  /**
   * The account's suspension began or ended with this write: the hosted user's billing lock is set
   * or lifted on its provisioning status (and the user made pending for its server) in the same
   * transaction. The reseller's own lock (the user's status) is a separate flag; the server locks
   * the user while either is set.
   */
  billingLock?: { locked: boolean; at: string };
  /** References claimed by this write (each must be new: ReferenceTakenError names the first line). */
  references?: ReferenceClaim[];
  /**
   * The request's Idempotency-Key, completed with its answer in this transaction (the claim must
   * still be the request's own, or nothing is written); marks the claim `completed` on success.
   */
  completion?: IdempotentCompletion;
  /** Webhook events of this change (billing.charged, .suspended, .resumed), written in the same transaction. */
  events?: WebhookEvent[];
  /** The account's next due day changed to this one: its due item is written in the same transaction. */
  due?: string;
  /**
   * Stored usage days this write bills (docs/billing.md "Usage feed"): per month of the user's usage
   * item, the days marked fed in the same transaction, each only if it was not fed before, so a day
   * is billed exactly once however often billing or the collector runs. `replace` (an item written
   * before per-day feeding, without a fed map) writes the whole map instead, with the days that
   * counted as fed by `usageThrough`.
   */
  usageFed?: UsageFed[];
}

export interface UsageFed {
  month: string;
  days: string[];
  /** For an item without a fed map: the complete map to create (its days as YYYY-MM-DD). */
  replace?: string[];
}

/** An account named by its keys (a due item, a billing batch). */
export interface AccountRef {
  resellerId: string;
  username: string;
}

export interface BillingRepository {
  getPlan(resellerId: string, templateId: string): Promise<StoredPlan | undefined>;
  /** ConflictError if the plan changed since it was read (expectedVersion null: must not exist). */
  putPlan(resellerId: string, plan: StoredPlan, expectedVersion: number | null): Promise<void>;
  getAccount(resellerId: string, username: string): Promise<StoredAccount | undefined>;
  /**
   * Writes the account, its new lines and messages in ONE transaction: lines only if absent,
   * the account only at the version read. A concurrent or repeated run fails as a whole
   * (StaleAccountError) and writes nothing.
   */
  write(w: BillingWrite): Promise<void>;
  listLedger(resellerId: string, username: string, page: PageRequest): Promise<Page<StoredLine>>;
  /** Every account, shard by shard (operator tools; the daily run reads due items instead). */
  listAccounts(shard: number, page: PageRequest): Promise<Page<StoredAccount>>;
  readonly shards: number;
  /** Due-shards per day (the billing planner plans one part per shard). */
  readonly dueShards: number;
  /** The due-shard of an account (the same hash as the run counters). */
  dueShardOf(ref: AccountRef): number;
  /** One page of the accounts due on `day` in one due-shard (a key query). */
  listDue(day: string, shard: number, page: PageRequest): Promise<Page<AccountRef>>;
  /** Is any account due on `day` (one key query per due-shard, a single item each)? */
  anyDue(day: string): Promise<boolean>;
  /** How many accounts are due on `day` in one due-shard (a counting key query). */
  countDue(day: string, shard: number): Promise<number>;
  /** Many accounts at once (BatchGetItem), keyed `resellerId/username`; missing ones are absent. */
  getAccounts(refs: readonly AccountRef[]): Promise<Map<string, StoredAccount>>;
  /** Many plans at once (BatchGetItem), keyed `resellerId/templateId`. */
  getPlans(refs: readonly { resellerId: string; templateId: string }[]): Promise<Map<string, StoredPlan>>;
  /** Was page `page` of a plan's due-shard enqueued already (its continuation marker)? */
  planPageSent(runId: string, shard: number, page: number): Promise<boolean>;
  markPlanPageSent(runId: string, shard: number, page: number, expiresAt: number): Promise<void>;
  /** The hosted user's panel limits, or undefined when there is no such user of this reseller. */
  userLimits(resellerId: string, username: string): Promise<Record<string, number> | undefined>;
  /** Does the template exist for this reseller (tenancy and 404s). */
  templateExists(resellerId: string, templateId: string): Promise<boolean>;
}

/** The reference was claimed before, by `first` (the line that claim wrote). */
export class ReferenceTakenError extends Error {
  constructor(readonly first: StoredLine) {
    super(`reference ${first.reference} is taken`);
  }
}

/** The account moved on since it was read: reload and redo; if it escapes the retries, 409 CONCURRENT_CHANGE. */
export class StaleAccountError extends ConcurrentChangeError {
  constructor() {
    super('the billing account changed since it was read; try again');
  }
}
