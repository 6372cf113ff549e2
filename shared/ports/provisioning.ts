import type { WebhookEvent } from '../domain/webhooks';
/**
 * The provisioning queue and status of hosted users (see shared/domain/provisioning/status.ts).
 * The status item is written in the same transaction as each change of a user (UserRepository);
 * this port is what the worker, the operator's re-push and the users views use.
 */
import type { ProvisioningState } from '../domain/provisioning/status';
import type { Message } from './message-log';

export interface DueEntry {
  resellerId: string;
  username: string;
  /** The queue position read (opaque): a claim succeeds only if it is unchanged. */
  token: string;
}

export interface ProvisioningRepository {
  /** Entries due at `now` in one shard of the queue (key query on the sparse index, oldest first). */
  due(shard: number, now: Date, limit: number): Promise<DueEntry[]>;
  readonly shards: number;
  get(resellerId: string, username: string): Promise<ProvisioningState | undefined>;
  /** The statuses of several users of one reseller (one BatchGet). */
  getMany(resellerId: string, usernames: string[]): Promise<Map<string, ProvisioningState>>;
  /**
   * Takes the entry for one push: moves its next attempt to `leaseUntil` so no other worker takes it
   * meanwhile (a crashed worker's entry comes back then). False when it moved or changed meanwhile.
   */
  claim(resellerId: string, username: string, entry: DueEntry, sequence: number, leaseUntil: string): Promise<boolean>;
  /**
   * Applied: only if `sequence` is still the current one. Removes the queue entry. For a deleted
   * user, removes the status, the server's user entry and gives the server's slot back.
   * False when a newer change came meanwhile (it stays pending).
   */
  markApplied(resellerId: string, username: string, sequence: number, at: string, opts: { serverId: string; deleted: boolean; message?: Message; events?: WebhookEvent[] }): Promise<boolean>;
  /**
   * Failed: only if `sequence` is still current and not applied meanwhile. `retryAt` null keeps it
   * failed without a queue entry (until the next change or re-push). The message goes into the
   * reseller's log in the same transaction.
   */
  markFailed(resellerId: string, username: string, sequence: number, at: string, error: string, retryAt: string | null, message?: Message, events?: WebhookEvent[]): Promise<boolean>;
  /** The reseller of a hosted username (the global owner record, kept as a tombstone after delete). */
  ownerOf(username: string): Promise<{ resellerId: string; deleted: boolean } | undefined>;
  /**
   * The server's push lease: true when `holder` has it until `until` (taken when free, expired at
   * `now`, or already the holder's). One command in flight per server across all workers.
   */
  leaseServer(serverId: string, holder: string, until: string, now: string): Promise<boolean>;
  /** Gives the lease back (only the holder's). */
  releaseServer(serverId: string, holder: string): Promise<void>;
  /** Re-push: a new sequence and pending, due now. False when there is no user (nor pending delete). */
  bump(resellerId: string, username: string, at: string): Promise<boolean>;
}

/** The reseller's settings that provisioning uses. */
export interface ProvisioningSettings {
  getIndexPage(resellerId: string): Promise<string | null>;
  /** Stores the page; `pushRunId` names the run that pushes it to every user (GET shows its progress). */
  putIndexPage(resellerId: string, html: string | null, at: string, pushRunId?: string): Promise<void>;
  /** The run of the last index-page push, or null. */
  indexPagePushRun(resellerId: string): Promise<string | null>;
}
