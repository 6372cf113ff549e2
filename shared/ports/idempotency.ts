import type { Decision, StoredResponse } from '../domain/idempotency';

/** A key claimed by the request that runs now (handed to the work, so a transaction can complete it). */
export interface IdempotencyClaim {
  tenant: string | null;
  key: string;
  token: string;
  /**
   * Set by a write that completed the key in its own transaction (a payment, an adjustment): the
   * response is kept with the effect, all or nothing, and not written again afterwards.
   */
  completed?: boolean;
}

/**
 * The completion of a claim as part of a use case's own transaction: the answer it gives on success
 * (status and body as the route answers them).
 */
export interface IdempotentCompletion {
  claim: IdempotencyClaim;
  status: number;
  body: unknown;
  nowMs: number;
}

/**
 * Where Idempotency-Key records live (DynamoDB: shared/adapters/dynamodb/idempotency-store.ts).
 * `tenant` is the reseller id from the verified token, or null for the operator: a key of one
 * tenant is never seen by another. Keys and responses are kept only as hashes and ciphertext
 * derived from the key itself, so the table holds nothing a reader without the key could replay.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for a request with `fingerprint` (in progress, leased), or tells what holds it: the
   * finished response (replay), another request (mismatch) or the same one still running.
   */
  claim(tenant: string | null, key: string, fingerprint: string, nowMs: number): Promise<{ claimed: true; token: string } | { claimed: false; decision: Exclude<Decision, { kind: 'claim' }> }>;
  /** Stores the response of the claim `token` (nothing when the claim was taken over meanwhile). */
  complete(tenant: string | null, key: string, token: string, response: StoredResponse, nowMs: number): Promise<void>;
  /** Gives the claim up (the request failed with a 5xx: the client may retry). */
  release(tenant: string | null, key: string, token: string): Promise<void>;
}
