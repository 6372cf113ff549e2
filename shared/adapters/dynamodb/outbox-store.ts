import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Circular, CircularBody, CircularHead } from '../../domain/mail/circulars';
import { parseMessageId, type MailStanding, type OutboxKind, type OutboxStatus } from '../../domain/mail/outbox';
import type { Message } from '../../ports/message-log';
import type { ClaimedMessage, ClaimResult, FanoutPage, OutboxStore, OutboxView, SingleMessage } from '../../ports/outbox';
import type { Page, PageRequest } from '../../ports/page';
import { keys, TABLE, type Key } from './keys';
import { messageItem } from './message-log';
import { queryPage } from './query-page';

import { unitOfWork, type UnitItem } from './unit-of-work';
import { webhookEventItems } from './webhook-store';
import type { WebhookEvent } from '../../domain/webhooks';

type TxItem = UnitItem;

/** A failed condition the store answers itself (see `conditionFailed`): which item of the unit it was. */
class ConditionFailed extends Error {
  constructor(readonly item: number, readonly detail?: string) {
    super(`condition of item ${item} failed`);
  }
}
const onFailed = (item: number, detail?: string) => ({ onConditionFailed: new ConditionFailed(item, detail) });
const failedItem = (e: unknown): number | undefined => (e instanceof ConditionFailed ? e.item : undefined);

/** Outbox messages are kept 90 days after they were written (the message log keeps the outcome a year). */
const RETENTION_SECONDS = 90 * 24 * 3600;
const expiresAt = (atMs: number) => Math.floor(atMs / 1000) + RETENTION_SECONDS;

function messageKey(resellerId: string, messageId: string): { key: Key; circularId?: string } {
  const p = parseMessageId(messageId);
  if (!p) throw new Error(`not an outbox message id: ${messageId}`);
  return p.kind === 'registration'
    ? { key: keys.mailMessage(resellerId, messageId) }
    : { key: keys.circularRecipient(resellerId, p.circularId, p.username), circularId: p.circularId };
}

/** The item of a registration e-mail: exported so the user's creation writes it in its own transaction. */
export function singleMessageItem(resellerId: string, m: SingleMessage, nowMs: number): Record<string, unknown> {
  return {
    ...keys.mailMessage(resellerId, m.id),
    type: 'outbox',
    id: m.id,
    kind: m.kind,
    username: m.username,
    to: m.to,
    replyTo: m.replyTo,
    subject: m.subject,
    encryptedText: m.encryptedText,
    status: 'queued',
    attempts: 0,
    dueAt: 0,
    createdAt: m.createdAt,
    expiresAt: expiresAt(nowMs),
  };
}

function claimedOf(messageId: string, i: Record<string, unknown>, token: string): ClaimedMessage {
  return {
    id: messageId,
    kind: i.kind as OutboxKind,
    username: i.username as string,
    to: i.to as string,
    replyTo: (i.replyTo as string[]) ?? [],
    ...(i.subject ? { subject: i.subject as string } : {}),
    ...(i.encryptedText ? { encryptedText: i.encryptedText as string } : {}),
    ...(i.values ? { values: i.values as Record<string, string> } : {}),
    attempts: Number(i.attempts),
    token,
    claimedAtMs: Number(i.claimedAt),
  };
}

/** All or nothing through the one executor (shared/adapters/dynamodb/unit-of-work.ts), which retries contention. */
const transact = (db: DynamoDBDocumentClient, items: TxItem[]) => unitOfWork(db).run(items).then(() => undefined);

function toHead(i: Record<string, unknown>): CircularHead {
  return {
    id: i.id as string,
    subject: i.subject as string,
    createdAt: i.createdAt as string,
    pages: Number(i.pages ?? 0),
    fanoutDone: i.fanoutDone === true,
    recipients: Number(i.recipients ?? 0),
    sent: Number(i.sent ?? 0),
    failed: Number(i.failed ?? 0),
    skipped: Number(i.skipped ?? 0),
    excluded: Number(i.excluded ?? 0),
    ...(i.doneNoticed ? { doneNoticed: true } : {}),
  };
}

function toView(i: Record<string, unknown>): OutboxView {
  return {
    id: i.id as string,
    kind: i.kind as OutboxKind,
    username: i.username as string,
    to: i.to as string,
    ...(i.subject ? { subject: i.subject as string } : {}),
    status: i.status as OutboxStatus,
    attempts: Number(i.attempts ?? 0),
    ...(i.sesMessageId ? { sesMessageId: i.sesMessageId as string } : {}),
    ...(i.reason ? { reason: i.reason as string } : i.lastError ? { reason: i.lastError as string } : {}),
    ...(i.createdAt ? { createdAt: i.createdAt as string } : {}),
    ...(i.sentAt ? { sentAt: i.sentAt as string } : {}),
    ...(i.failedAt ? { failedAt: i.failedAt as string } : {}),
    ...(i.standing ? { bounce: i.standing as MailStanding } : {}),
  };
}

export class DynamoOutboxStore implements OutboxStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putSingle(resellerId: string, m: SingleMessage): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: singleMessageItem(resellerId, m, Date.parse(m.createdAt)),
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getMessage(resellerId: string, messageId: string): Promise<OutboxView | undefined> {
    if (!parseMessageId(messageId)) return undefined;
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: messageKey(resellerId, messageId).key, ConsistentRead: true }));
    return out.Item ? toView(out.Item) : undefined;
  }

  async createCircular(resellerId: string, c: Circular): Promise<void> {
    const T = this.tableName;
    const { text, exclude, ...head } = c;
    await transact(this.db, [
      { Put: { TableName: T, Item: { ...keys.circular(resellerId, c.id), type: 'circular', ...head }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: T, Item: { ...keys.circularBody(resellerId, c.id), type: 'circularBody', subject: c.subject, text, exclude } } },
    ]);
  }

  async getCircular(resellerId: string, circularId: string): Promise<CircularHead | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.circular(resellerId, circularId), ConsistentRead: true }));
    return out.Item ? toHead(out.Item) : undefined;
  }

  async getCircularBody(resellerId: string, circularId: string): Promise<CircularBody | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.circularBody(resellerId, circularId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { subject: out.Item.subject as string, text: out.Item.text as string, exclude: (out.Item.exclude as string[]) ?? [] };
  }

  listCirculars(resellerId: string, page: PageRequest): Promise<Page<CircularHead>> {
    return queryPage(this.db, this.tableName, {
      partition: keys.partitionOf(resellerId),
      prefix: keys.circularPrefix,
      page,
      newestFirst: true,
      map: toHead,
    });
  }

  failures(resellerId: string, circularId: string, page: PageRequest) {
    return queryPage(this.db, this.tableName, {
      gsi1: true,
      partition: keys.circularFailurePartition(resellerId, circularId),
      page,
      map: (i) => ({ username: i.username as string, to: i.to as string, reason: i.reason as string, at: i.failedAt as string }),
    });
  }

  async missingUsers(resellerId: string, usernames: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    for (let i = 0; i < usernames.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> = {
        [this.tableName]: {
          Keys: [...new Set(usernames.slice(i, i + 100))].map((u) => ({ ...keys.user(resellerId, u) })),
          ProjectionExpression: '#u',
          ExpressionAttributeNames: { '#u': 'username' },
        },
      };
      for (let round = 0; Object.keys(request).length; round++) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? []) found.add(item.username as string);
        request = (out.UnprocessedKeys ?? {}) as typeof request;
        if (Object.keys(request).length) await sleep(Math.min(1000, 20 * 2 ** round));
      }
    }
    return usernames.filter((u) => !found.has(u));
  }

  /**
   * A fan-out page in two steps, so that the transaction that competes with the senders for the
   * circular's counters is two items, not a page of fifty: first the recipients (each its own
   * conditional put, idempotent for this page: a redelivered page writes the same items again),
   * then the page and the counters at once, conditioned on the page number. A crash between the two
   * leaves recipients nobody sends to yet; the redelivered page counts them then. A recipient that
   * exists for another page (the users list moved under the cursor) is left to that page.
   */
  async recordPage(resellerId: string, circularId: string, page: FanoutPage): Promise<boolean> {
    const T = this.tableName;
    const now = Date.now();
    const head = await this.getCircular(resellerId, circularId);
    if (!head || head.pages !== page.n) return false;
    const kept = await Promise.all(
      page.recipients.map(async (r) => {
        try {
          await this.db.send(
            new PutCommand({
              TableName: T,
              Item: {
                ...keys.circularRecipient(resellerId, circularId, r.username),
                type: 'outbox',
                id: `c-${circularId}-${r.username}`,
                kind: 'circular',
                circularId,
                page: page.n,
                username: r.username,
                to: r.to,
                values: r.values,
                status: 'queued',
                attempts: 0,
                dueAt: 0,
                expiresAt: expiresAt(now),
              },
              // New, or written by an earlier delivery of this same page that has not been recorded.
              ConditionExpression: 'attribute_not_exists(PK) OR (#pg = :n AND #s = :queued AND attempts = :zero)',
              ExpressionAttributeNames: { '#pg': 'page', '#s': 'status' },
              ExpressionAttributeValues: { ':n': page.n, ':queued': 'queued', ':zero': 0 },
            }),
          );
          return r;
        } catch (e) {
          if (e instanceof ConditionalCheckFailedException) return undefined;
          throw e;
        }
      }),
    );
    const recipients = kept.filter((r): r is NonNullable<typeof r> => r !== undefined);
    try {
      await transact(this.db, [
        {
          ...onFailed(0),
          Update: {
            TableName: T,
            Key: keys.circular(resellerId, circularId),
            ConditionExpression: '#p = :n',
            UpdateExpression: 'SET #p = :n1, #d = :last ADD #r :r, #x :e, #k :s',
            ExpressionAttributeNames: { '#p': 'pages', '#d': 'fanoutDone', '#r': 'recipients', '#x': 'excluded', '#k': 'skipped' },
            ExpressionAttributeValues: { ':n': page.n, ':n1': page.n + 1, ':last': page.next === null, ':r': recipients.length, ':e': page.excluded, ':s': page.skipped },
          },
        },
        {
          Put: {
            TableName: T,
            Item: { ...keys.circularPage(resellerId, circularId, page.n), type: 'circularPage', usernames: recipients.map((r) => r.username), next: page.next, expiresAt: expiresAt(now) },
          },
        },
      ]);
      return true;
    } catch (e) {
      if (failedItem(e) === 0) return false;
      throw e;
    }
  }

  async getPage(resellerId: string, circularId: string, n: number) {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.circularPage(resellerId, circularId, n), ConsistentRead: true }));
    return out.Item ? { usernames: (out.Item.usernames as string[]) ?? [], next: (out.Item.next as string | null) ?? null } : undefined;
  }

  async claim(resellerId: string, messageId: string, token: string, nowMs: number, leaseSeconds: number): Promise<ClaimResult> {
    const { key } = messageKey(resellerId, messageId);
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // Only queued: a `sending` message may already be with SES (see takeOver).
          ConditionExpression: 'attribute_exists(PK) AND #s = :queued AND dueAt <= :now',
          UpdateExpression: 'SET #s = :sending, claimToken = :t, claimedAt = :now ADD attempts :one',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':queued': 'queued', ':sending': 'sending', ':now': nowMs, ':t': token, ':one': 1 },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: claimedOf(messageId, out.Attributes as Record<string, unknown>, token) };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      if (!e.Item) return { missing: true };
      const old = unmarshall(e.Item);
      if (old.status === 'sent' || old.status === 'failed') return { finished: old.status };
      if (old.status === 'queued') return { busyUntilMs: Number(old.dueAt ?? nowMs) };
      const claimedAtMs = Number(old.claimedAt ?? 0);
      if (claimedAtMs + leaseSeconds * 1000 < nowMs) {
        return { inDoubt: { token: String(old.claimToken ?? ''), claimedAtMs, attempts: Number(old.attempts ?? 0) } };
      }
      return { busyUntilMs: claimedAtMs + leaseSeconds * 1000 };
    }
  }

  async takeOver(resellerId: string, messageId: string, oldToken: string, token: string, nowMs: number) {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(resellerId, messageId).key,
          ConditionExpression: '#s = :sending AND claimToken = :old',
          UpdateExpression: 'SET claimToken = :t, claimedAt = :now ADD attempts :one',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':old': oldToken, ':now': nowMs, ':t': token, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return claimedOf(messageId, out.Attributes as Record<string, unknown>, token);
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return undefined;
      throw e;
    }
  }

  private async finish(
    resellerId: string,
    messageId: string,
    condition: { expression: string; values: Record<string, unknown> },
    set: Record<string, unknown>,
    counters: Partial<Record<'sent' | 'failed', number>>,
    extra: { gsi?: Record<string, string>; remove?: string[] } = {},
  ): Promise<boolean> {
    const { key, circularId } = messageKey(resellerId, messageId);
    const values: Record<string, unknown> = { ...condition.values };
    const sets = Object.entries({ ...set, ...(extra.gsi ?? {}) }).map(([k, v], n) => {
      values[`:v${n}`] = v;
      return `#a${n} = :v${n}`;
    });
    const names: Record<string, string> = { '#s': 'status' };
    Object.keys({ ...set, ...(extra.gsi ?? {}) }).forEach((k, n) => (names[`#a${n}`] = k));
    const update: TxItem = {
      ...onFailed(0),
      Update: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: condition.expression,
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${['claimToken', 'encryptedText', 'lastError', ...(extra.remove ?? [])].join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
    const moved = Object.entries(counters);
    try {
      await transact(this.db, [
        update,
        ...(circularId && moved.length
          ? [
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.circular(resellerId, circularId),
                  UpdateExpression: `ADD ${moved.map((_, n) => `#c${n} :c${n}`).join(', ')}`,
                  ExpressionAttributeNames: Object.fromEntries(moved.map(([c], n) => [`#c${n}`, c])),
                  ExpressionAttributeValues: Object.fromEntries(moved.map(([, d], n) => [`:c${n}`, d])),
                },
              },
            ]
          : []),
      ]);
      return true;
    } catch (e) {
      if (failedItem(e) === 0) return false;
      throw e;
    }
  }

  recordSent(resellerId: string, messageId: string, token: string, sesMessageId: string, at: string) {
    return this.finish(
      resellerId,
      messageId,
      { expression: '#s = :sending AND claimToken = :t', values: { ':sending': 'sending', ':t': token } },
      { status: 'sent', sesMessageId, sentAt: at },
      { sent: 1 },
    );
  }

  recordFailed(resellerId: string, messageId: string, token: string, reason: string, at: string) {
    return this.failWith(resellerId, messageId, token, { status: 'failed', reason, failedAt: at });
  }

  recordUnconfirmed(resellerId: string, messageId: string, token: string, reason: string, at: string) {
    return this.failWith(resellerId, messageId, token, { status: 'failed', reason, failedAt: at, unconfirmed: true });
  }

  private failWith(resellerId: string, messageId: string, token: string, set: Record<string, unknown>) {
    const p = parseMessageId(messageId);
    return this.finish(
      resellerId,
      messageId,
      { expression: '#s = :sending AND claimToken = :t', values: { ':sending': 'sending', ':t': token } },
      set,
      { failed: 1 },
      p?.kind === 'circular' ? { gsi: keys.circularFailure(resellerId, p.circularId, p.username) } : {},
    );
  }

  async reconcileSent(resellerId: string, messageId: string, sesMessageId: string, at: string) {
    const sent = { status: 'sent', sesMessageId, sentAt: at };
    if (
      await this.finish(
        resellerId,
        messageId,
        { expression: '#s IN (:queued, :sending)', values: { ':queued': 'queued', ':sending': 'sending' } },
        sent,
        { sent: 1 },
      )
    ) {
      return true;
    }
    // Ended failed because nobody could confirm it; SES's Send event now does: it was sent after all.
    return this.finish(
      resellerId,
      messageId,
      { expression: '#s = :failed AND unconfirmed = :true', values: { ':failed': 'failed', ':true': true } },
      sent,
      { sent: 1, failed: -1 },
      { remove: ['unconfirmed', 'reason', 'failedAt', TABLE.gsi1.partitionKey, TABLE.gsi1.sortKey] },
    );
  }

  async release(resellerId: string, messageId: string, token: string, error: string, dueMs: number, opts: { attempted?: boolean } = {}): Promise<void> {
    // A claim given back without trying SES (the daily cap) does not count as an attempt.
    const uncount = opts.attempted === false;
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(resellerId, messageId).key,
          ConditionExpression: '#s = :sending AND claimToken = :t',
          UpdateExpression: `SET #s = :queued, dueAt = :due, lastError = :e${uncount ? ', attempts = attempts - :one' : ''} REMOVE claimToken`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':queued': 'queued', ':t': token, ':due': dueMs, ':e': error, ...(uncount ? { ':one': 1 } : {}) },
        }),
      )
      .catch((e) => {
        // Lost the claim meanwhile (a lease ran out and another sender took it): its outcome stands.
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
  }

  async takeDailySlot(resellerId: string, day: string, cap: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.mailDay(resellerId, day),
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :cap',
          UpdateExpression: 'ADD #n :one SET expiresAt = :exp',
          ExpressionAttributeNames: { '#n': 'mails' },
          ExpressionAttributeValues: { ':cap': cap, ':one': 1, ':exp': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 7 * 86400 },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async returnDailySlot(resellerId: string, day: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.mailDay(resellerId, day),
          ConditionExpression: '#n > :zero',
          UpdateExpression: 'ADD #n :minus',
          ExpressionAttributeNames: { '#n': 'mails' },
          ExpressionAttributeValues: { ':zero': 0, ':minus': -1 },
        }),
      )
      .catch((e) => {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      });
  }

  async markCapNoticed(resellerId: string, day: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.mailDay(resellerId, day),
          ConditionExpression: 'attribute_not_exists(noticed)',
          UpdateExpression: 'SET noticed = :t',
          ExpressionAttributeValues: { ':t': true },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async recordStanding(resellerId: string, messageId: string, standing: MailStanding, logText: string) {
    const { key } = messageKey(resellerId, messageId);
    const msg = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!msg.Item) return { noted: false, marked: false };
    const username = msg.Item.username as string;
    const at = standing.at;
    const log = (text: string): Message => ({ id: `${messageId}-${standing.status}`.slice(0, 80), at, type: 'error', text, subject: { user: username } });
    const noteMessage: TxItem = {
      ...onFailed(0),
      Update: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(standing)',
        UpdateExpression: 'SET standing = :st',
        ExpressionAttributeValues: { ':st': standing },
      },
    };
    const markUser: TxItem = {
      ...onFailed(1),
      Update: {
        TableName: this.tableName,
        Key: keys.user(resellerId, username),
        // Only while the user still has the address SES reported; a changed address starts clean.
        ConditionExpression: 'attribute_exists(PK) AND #p.#e = :addr',
        UpdateExpression: 'SET #m = :st, #v = #v + :one',
        ExpressionAttributeNames: { '#p': 'personal', '#e': 'email', '#m': 'mailStatus', '#v': 'version' },
        ExpressionAttributeValues: { ':st': standing, ':addr': standing.address, ':one': 1 },
      },
    };
    try {
      await transact(this.db, [noteMessage, markUser, { Put: { TableName: this.tableName, Item: messageItem(resellerId, log(logText)) } }]);
      return { noted: true, username, marked: true };
    } catch (e) {
      const failed = failedItem(e);
      if (failed === 0) return { noted: false, username, marked: false };
      if (failed !== 1) throw e;
    }
    try {
      await transact(this.db, [
        noteMessage,
        { Put: { TableName: this.tableName, Item: messageItem(resellerId, log(`${logText} (not marked on the user: the address has changed since, or the user is gone)`)) } },
      ]);
      return { noted: true, username, marked: false };
    } catch (e) {
      if (failedItem(e) === 0) return { noted: false, username, marked: false };
      throw e;
    }
  }

  async markDoneNoticed(resellerId: string, circularId: string, events?: WebhookEvent[]): Promise<boolean> {
    const done = new ConditionFailed(0);
    try {
      // With its webhook event (circular.finished) in the same unit: once, like the notice.
      await unitOfWork(this.db).run([
        {
          Update: {
            TableName: this.tableName,
            Key: keys.circular(resellerId, circularId),
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(doneNoticed)',
            UpdateExpression: 'SET doneNoticed = :t',
            ExpressionAttributeValues: { ':t': true },
          },
          onConditionFailed: done,
        },
        ...webhookEventItems(this.tableName, events),
      ]);
      return true;
    } catch (e) {
      if (e === done) return false;
      throw e;
    }
  }
}
