import type { WebhookEvent } from '../domain/webhooks';
import type { Circular, CircularBody, CircularHead } from '../domain/mail/circulars';
import type { MailStanding, OutboxKind, OutboxStatus } from '../domain/mail/outbox';
import type { Page, PageRequest } from './page';

/** A registration e-mail as stored: its text is encrypted (it may hold a password) and erased once sent or failed. */
export interface SingleMessage {
  id: string;
  kind: 'registration';
  username: string;
  to: string;
  replyTo: string[];
  subject: string;
  /** KeyCipher ciphertext of the text, bound to the reseller and the message id. */
  encryptedText: string;
  createdAt: string;
}

/** One recipient of a circular: the tag values as they were when the fan-out reached the user. */
export interface Recipient {
  username: string;
  to: string;
  values: Record<string, string>;
}

/** A message this sender now holds: only the holder of the token may record its outcome. */
export interface ClaimedMessage {
  id: string;
  kind: OutboxKind;
  username: string;
  to: string;
  replyTo: string[];
  /** Single messages: subject and encrypted text. Circular recipients: the tag values (the text is the circular's). */
  subject?: string;
  encryptedText?: string;
  values?: Record<string, string>;
  /** Attempts so far, this one included. */
  attempts: number;
  token: string;
  /** When this claim was taken: its lease runs from here. */
  claimedAtMs: number;
}

export type ClaimResult =
  | { claimed: ClaimedMessage }
  /** Sent or failed already (a redelivery): nothing to do. */
  | { finished: OutboxStatus }
  /** Another sender holds it, or a retry is not due yet: try again after `untilMs`. */
  | { busyUntilMs: number }
  /**
   * `sending` under a claim older than the lease: its sender died or lost SES's answer, and SES may
   * have it. Not claimed: resolved from evidence (resolveDoubt), then takeOver or recordUnconfirmed.
   */
  | { inDoubt: { token: string; claimedAtMs: number; attempts: number } }
  /** No such message (yet): the request that enqueued it has not written it, or never did. */
  | { missing: true };

export interface FanoutPage {
  /** 0, 1, 2 …: the page is recorded only if the circular has exactly `n` pages so far. */
  n: number;
  recipients: Recipient[];
  excluded: number;
  skipped: number;
  /** The users-list cursor of the next page, or null after the last page. */
  next: string | null;
}

export interface OutboxView {
  id: string;
  kind: OutboxKind;
  username: string;
  to: string;
  subject?: string;
  status: OutboxStatus;
  attempts: number;
  sesMessageId?: string;
  reason?: string;
  createdAt?: string;
  sentAt?: string;
  failedAt?: string;
  bounce?: MailStanding;
}

export interface OutboxStore {
  /** A registration e-mail, written on its own (resends); at creation it goes into the user's transaction instead. */
  putSingle(resellerId: string, m: SingleMessage): Promise<void>;
  getMessage(resellerId: string, messageId: string): Promise<OutboxView | undefined>;

  createCircular(resellerId: string, c: Circular): Promise<void>;
  /** The counters item (small, read with a consistent read). */
  getCircular(resellerId: string, circularId: string): Promise<CircularHead | undefined>;
  /** Subject, text and the users left out: read once per fan-out page and per batch of sends. */
  getCircularBody(resellerId: string, circularId: string): Promise<CircularBody | undefined>;
  listCirculars(resellerId: string, page: PageRequest): Promise<Page<CircularHead>>;
  failures(resellerId: string, circularId: string, page: PageRequest): Promise<Page<{ username: string; to: string; reason: string; at: string }>>;
  /** Which of these usernames are not users of the reseller (BatchGetItem, 100 keys a call). */
  missingUsers(resellerId: string, usernames: readonly string[]): Promise<string[]>;

  /**
   * Fan-out page `n` in one transaction: the recipients (each only if absent), the page record and
   * the circular's counters, conditioned on the circular having `n` pages. False when page `n` was
   * recorded before (a redelivery): then getPage tells what it held.
   */
  recordPage(resellerId: string, circularId: string, page: FanoutPage): Promise<boolean>;
  getPage(resellerId: string, circularId: string, n: number): Promise<{ usernames: string[]; next: string | null } | undefined>;

  /** Claims a queued, due message for sending (conditional write), see ClaimResult. */
  claim(resellerId: string, messageId: string, token: string, nowMs: number, leaseSeconds: number): Promise<ClaimResult>;
  /**
   * A message in doubt that SES certainly does not have: its claim (`oldToken`, still `sending`)
   * becomes this sender's (`token`, claimed now, attempts + 1). Undefined when someone else resolved it.
   */
  takeOver(resellerId: string, messageId: string, oldToken: string, token: string, nowMs: number): Promise<ClaimedMessage | undefined>;
  /** sending → sent (held by `token`), with the circular's counters. False when the claim was lost. */
  recordSent(resellerId: string, messageId: string, token: string, sesMessageId: string, at: string): Promise<boolean>;
  /** sending → failed (held by `token`), with the circular's counters and the failure listed. */
  recordFailed(resellerId: string, messageId: string, token: string, reason: string, at: string): Promise<boolean>;
  /**
   * sending (held by `token`) → failed with `unconfirmed: true`: SES may have accepted it, nobody
   * could tell within the wait; counters and the failure list as recordFailed. A late Send event
   * (reconcileSent) still turns it into sent.
   */
  recordUnconfirmed(resellerId: string, messageId: string, token: string, reason: string, at: string): Promise<boolean>;
  /** sending → queued again, due at `dueMs`, with the error that made it wait. */
  release(resellerId: string, messageId: string, token: string, error: string, dueMs: number, opts?: { attempted?: boolean }): Promise<void>;
  /**
   * SES's send event (or the local SES's store): a message still queued or sending was accepted by
   * SES after all (its sender died after SES accepted, or lost the answer) → sent. Also a message
   * that ended failed as unconfirmed → sent, its circular's counters moved from failed to sent and
   * its failure unlisted. False when there was nothing to change.
   */
  reconcileSent(resellerId: string, messageId: string, sesMessageId: string, at: string): Promise<boolean>;

  /** One circular mail more for the reseller's day, if under `cap` (an atomic conditional ADD). */
  takeDailySlot(resellerId: string, day: string, cap: number): Promise<boolean>;
  /** Gives a slot back: the send it was taken for did not go out (SES refused it). */
  returnDailySlot(resellerId: string, day: string): Promise<void>;
  /** True once per reseller and day: the caller writes the "daily cap reached" notice. */
  markCapNoticed(resellerId: string, day: string): Promise<boolean>;

  /**
   * A bounce or complaint for a message: noted on the message once (false when it was noted before)
   * and, if the user still has the address, marked on the user with the message log entry, all in
   * one transaction. Returns the user marked, if any.
   */
  recordStanding(resellerId: string, messageId: string, standing: MailStanding, logText: string): Promise<{ noted: boolean; username?: string; marked: boolean }>;

  /** The circular's one "done" notice: true for the caller that may write it. */
  markDoneNoticed(resellerId: string, circularId: string, events?: WebhookEvent[]): Promise<boolean>;
}
