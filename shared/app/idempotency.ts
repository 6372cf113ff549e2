import { createHash } from 'node:crypto';
import { ConflictError, ErrorCode, IdempotencyKeyReusedError, ValidationError } from '../domain/errors';
import { IDEMPOTENCY_HEADER, isStored, keyProblem, type StoredResponse } from '../domain/idempotency';
import type { Clock } from '../ports/clock';
import type { Principal } from '../ports/identity';
import type { IdempotencyClaim, IdempotencyStore } from '../ports/idempotency';

export interface IdempotencyDeps {
  idempotency: IdempotencyStore;
  /** The clock port: the dev clock in the embedded runtime, so expiry and leases follow it. */
  clock: Clock;
}

/** A malformed Idempotency-Key is a 400 naming the header. */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw ValidationError.field(IDEMPOTENCY_HEADER, problem);
  return key;
}

/** The tenant a key belongs to: the reseller of the verified token, or the operator (null). */
const tenantOf = (actor: Principal): string | null => (actor.role === 'reseller' && actor.resellerId ? actor.resellerId : null);

/**
 * Runs `work` at most once per tenant, key and request: the first request with a key claims it,
 * does the work and stores its response (a 4xx too; never a 5xx, after which the claim is given up
 * so the client may retry); a repeat of the same request gets that response back (`replayed`)
 * without doing anything; the key for another request is 422; while the first still runs, 409.
 * `work` answers what the HTTP edge would answer, errors included (it must not throw for a 4xx).
 */
export async function runIdempotent(
  deps: IdempotencyDeps,
  actor: Principal,
  key: string,
  fingerprint: string,
  work: (claim: IdempotencyClaim) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const tenant = tenantOf(actor);
  const claim = await deps.idempotency.claim(tenant, checkKey(key), fingerprint, deps.clock.now().getTime());
  if (!claim.claimed) {
    const d = claim.decision;
    if (d.kind === 'replay') return { ...d.response, replayed: true };
    if (d.kind === 'mismatch') {
      throw new IdempotencyKeyReusedError('this Idempotency-Key was used for another request (other body, route or parameters)', {
        [IDEMPOTENCY_HEADER]: 'was used for another request in the last 24 hours: use a new key for a new request',
      });
    }
    throw new ConflictError('a request with this Idempotency-Key is still in progress: retry later', ErrorCode.IDEMPOTENCY_IN_PROGRESS, {
      [IDEMPOTENCY_HEADER]: 'a request with this key is still in progress',
    });
  }
  const held: IdempotencyClaim = { tenant, key, token: claim.token };
  let response: StoredResponse;
  try {
    response = await work(held);
  } catch (e) {
    await deps.idempotency.release(tenant, key, claim.token).catch(() => undefined);
    throw e;
  }
  if (!isStored(response.status)) {
    await deps.idempotency.release(tenant, key, claim.token).catch(() => undefined);
  } else if (!held.completed) {
    // The work is done: its answer goes out even if keeping it fails (the claim then runs out after
    // its lease, and a repeat does the work again: payments and adjustments map to their reference).
    await deps.idempotency.complete(tenant, key, claim.token, response, deps.clock.now().getTime()).catch(() => undefined);
  }
  return { ...response, replayed: false };
}

/**
 * The reference of a payment sent with an Idempotency-Key and without a reference of its own:
 * derived from the key, so the payment is claimed by its reference in its own transaction (with its
 * ledger line) and a repeat maps to the first payment, even one that comes after the key's record
 * was lost (its Lambda died between the payment and keeping the response) or expired.
 */
export const referenceFromKey = (key: string) => `idem-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
