import type { LedgerLine } from '../domain/billing/ledger';
import type { PlanVersions } from '../domain/billing/plan-versions';
import type { Message } from './message-log';
import type { Page, PageRequest } from './page';

/** A ledger line as stored: the engine's lines plus payments and the reseller's adjustments. */
export interface StoredLine extends Omit<LedgerLine, 'type'> {
  type: LedgerLine['type'] | 'payment' | 'adjustment';
  note?: string;
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
  openedAt: string;
  updatedAt: string;
}

export interface BillingWrite {
  account: StoredAccount;
  /** The version read, or null to create the account. */
  expectedVersion: number | null;
  lines: StoredLine[];
  messages: Message[];
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
  /** Every account, shard by shard, for the daily job. */
  listAccounts(shard: number, page: PageRequest): Promise<Page<StoredAccount>>;
  readonly shards: number;
  /** The hosted user's panel limits, or undefined when there is no such user of this reseller. */
  userLimits(resellerId: string, username: string): Promise<Record<string, number> | undefined>;
  /** Does the template exist for this reseller (tenancy and 404s). */
  templateExists(resellerId: string, templateId: string): Promise<boolean>;
}

export class StaleAccountError extends Error {
  constructor() {
    super('the billing account changed since it was read');
  }
}
