/**
 * Idempotency-Key records in the one table (keys.idempotencyKey). Conditional writes go through the
 * unit-of-work executor; each is a single PutItem/DeleteItem (one round trip). The key is kept only as
 * a SHA-256 hash, the request's fingerprint only as an HMAC under the key, and the stored response
 * encrypted (AES-256-GCM) under a key derived from the Idempotency-Key: the table alone cannot
 * replay a response (it may hold a generated password) to anyone who does not hold the key.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decide, KEY_TTL_MS, LEASE_MS, type IdempotencyRecord, type StoredResponse } from '../../domain/idempotency';
import { ConflictError, ErrorCode } from '../../domain/errors';
import type { IdempotencyStore, IdempotentCompletion } from '../../ports/idempotency';
import { keys } from './keys';
import { unitOfWork, type UnitItem } from './unit-of-work';

/** What the claim found instead (the item as it is now). */
class Held extends Error {
  constructor(readonly current: Record<string, unknown> | undefined) {
    super('idempotency key held');
  }
}

/** The record of `key` in its tenant's partition (null: the operator's). */
const recordKey = (tenant: string | null, key: string) =>
  tenant === null ? keys.operatorIdempotencyKey(keyHash(key)) : keys.idempotencyKey(tenant, keyHash(key));

const b64url = (b: Buffer) => b.toString('base64url');
/** How a key is named in the table (its SHA-256, base64url): the key itself is not stored. */
export const keyHash = (key: string) => b64url(createHash('sha256').update(`idem-key\0${key}`).digest());
const secretOf = (key: string) => createHash('sha256').update(`idem-response\0${key}`).digest();
const fingerprintUnder = (key: string, fingerprint: string) => b64url(createHmac('sha256', secretOf(key)).update(fingerprint).digest());

function seal(key: string, response: StoredResponse): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', secretOf(key), iv);
  const data = Buffer.concat([c.update(JSON.stringify(response), 'utf8'), c.final()]);
  return `${b64url(iv)}.${b64url(c.getAuthTag())}.${b64url(data)}`;
}

function open(key: string, sealed: string): StoredResponse | undefined {
  try {
    const [iv, tag, data] = sealed.split('.');
    const d = createDecipheriv('aes-256-gcm', secretOf(key), Buffer.from(iv!, 'base64url'));
    d.setAuthTag(Buffer.from(tag!, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(data!, 'base64url')), d.final()]).toString('utf8')) as StoredResponse;
  } catch {
    return undefined;
  }
}

function recordOf(key: string, item: Record<string, unknown>): IdempotencyRecord {
  const response = typeof item.response === 'string' ? open(key, item.response) : undefined;
  return {
    fingerprint: item.fingerprint as string,
    status: item.state === 'done' && response ? 'done' : 'in_progress',
    leaseUntil: Number(item.leaseUntil ?? 0),
    expiresAtMs: Number(item.expiresAtMs ?? 0),
    ...(response ? { response } : {}),
  };
}

/** A response larger than this is not kept (an item holds at most 400 KB); none of the API's is near it. */
const MAX_STORED_CHARS = 300_000;

/** Done, with the sealed response, if the claim is still `token`'s. */
function completeUpdate(tableName: string, tenant: string | null, key: string, token: string, sealed: string, nowMs: number): UnitItem {
  return {
    Update: {
      TableName: tableName,
      Key: recordKey(tenant, key),
      UpdateExpression: 'SET #s = :done, #r = :r, completedAt = :at',
      ConditionExpression: '#o = :token',
      ExpressionAttributeNames: { '#s': 'state', '#r': 'response', '#o': 'owner' },
      ExpressionAttributeValues: { ':done': 'done', ':r': sealed, ':at': new Date(nowMs).toISOString(), ':token': token },
    },
  };
}

/**
 * The completion of a claim as an item of another unit of work (the payment's transaction): the
 * effect and the kept answer are written together or not at all. If the claim is no longer this
 * request's (it outlived its lease and a retry took the key over), nothing of the unit is written.
 */
export function completionItem(tableName: string, c: IdempotentCompletion): UnitItem {
  const sealed = seal(c.claim.key, { status: c.status, body: JSON.stringify(c.body) });
  return {
    ...completeUpdate(tableName, c.claim.tenant, c.claim.key, c.claim.token, sealed, c.nowMs),
    onConditionFailed: new ConflictError('a retry with this Idempotency-Key took it over: its answer stands', ErrorCode.IDEMPOTENCY_IN_PROGRESS, {
      'Idempotency-Key': 'was taken over by a retry of this request',
    }),
  };
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(tenant: string | null, key: string, fingerprint: string, nowMs: number) {
    const k = recordKey(tenant, key);
    const fp = fingerprintUnder(key, fingerprint);
    const token = randomUUID();
    const item = {
      ...k,
      type: 'idempotencyKey',
      fingerprint: fp,
      state: 'in_progress',
      owner: token,
      leaseUntil: nowMs + LEASE_MS,
      expiresAtMs: nowMs + KEY_TTL_MS,
      expiresAt: Math.ceil((nowMs + KEY_TTL_MS) / 1000),
    };
    // First try: the key is new. Then, at most a few times: take over an expired key or a dead claim,
    // conditional on the owner seen, so two takers cannot both win.
    let seenOwner: string | undefined;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await unitOfWork(this.db).run([
          {
            Put: {
              TableName: this.tableName,
              Item: item,
              ConditionExpression: seenOwner === undefined ? 'attribute_not_exists(PK)' : '#o = :seen',
              ...(seenOwner === undefined ? {} : { ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':seen': seenOwner } }),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
            onConditionFailed: (current) => new Held(current),
          },
        ]);
        return { claimed: true as const, token };
      } catch (e) {
        if (!(e instanceof Held)) throw e;
        const current = e.current ?? (await this.read(k));
        if (!current) {
          seenOwner = undefined;
          continue;
        }
        const decision = decide(recordOf(key, current), fp, nowMs);
        if (decision.kind !== 'claim') return { claimed: false as const, decision };
        seenOwner = current.owner as string;
      }
    }
    return { claimed: false as const, decision: { kind: 'in_progress' as const } };
  }

  async complete(tenant: string | null, key: string, token: string, response: StoredResponse, nowMs: number): Promise<void> {
    const sealed = seal(key, response);
    if (sealed.length > MAX_STORED_CHARS) return this.release(tenant, key, token);
    try {
      await unitOfWork(this.db).run([{ ...completeUpdate(this.tableName, tenant, key, token, sealed, nowMs), onConditionFailed: new Held(undefined) }]);
    } catch (e) {
      // Taken over meanwhile (this request outlived its lease): the other request's answer stands.
      if (!(e instanceof Held)) throw e;
    }
  }

  async release(tenant: string | null, key: string, token: string): Promise<void> {
    try {
      await unitOfWork(this.db).run([
        {
          Delete: {
            TableName: this.tableName,
            Key: recordKey(tenant, key),
            ConditionExpression: '#o = :token',
            ExpressionAttributeNames: { '#o': 'owner' },
            ExpressionAttributeValues: { ':token': token },
          },
          onConditionFailed: new Held(undefined),
        },
      ]);
    } catch (e) {
      if (!(e instanceof Held)) throw e;
    }
  }

  private async read(k: { PK: string; SK: string }) {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: true }));
    return out.Item;
  }
}
