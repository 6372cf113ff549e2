/**
 * Idempotency keys (the `Idempotency-Key` header, the way Stripe has them): pure rules, time passed
 * in. A key is claimed before the work (in progress, with a lease), completed after it with the
 * response, and answers every repeat for KEY_TTL_MS. See docs/api.md "Idempotency keys".
 */

/** The HTTP header, as documented; HTTP header names are case-insensitive (events carry them lowercased). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** A key answers repeats for 24 hours after it was first used (DynamoDB TTL on AWS; checked on read too). */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim holds while its request runs: longer than the API functions' timeout (29 s), so
 * a claim whose Lambda died (timeout, crash) can be taken again by a retry after this.
 */
export const LEASE_MS = 60 * 1000;

export const MAX_KEY_LENGTH = 255;

/** Visible ASCII only (no spaces, control or non-ASCII characters): UUIDs, ULIDs, base64 all fit. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** Why a key is malformed, or undefined when it is fine. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `must be at most ${MAX_KEY_LENGTH} characters`;
  if (!KEY_PATTERN.test(key)) return 'must be visible ASCII characters only (no spaces), e.g. a UUID';
  return undefined;
}

/** What a response was: stored after the work (2xx, 3xx and 4xx; never 5xx, which the client may retry). */
export interface StoredResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  /** Hash of what the request was: method, route, path and query parameters, body (canonical JSON). */
  fingerprint: string;
  status: 'in_progress' | 'done';
  /** Epoch ms after which an in-progress claim may be taken again (its request died). */
  leaseUntil: number;
  /** Epoch ms after which the key is forgotten. */
  expiresAtMs: number;
  response?: StoredResponse;
}

export type Decision =
  /** No live record: claim it and do the work. */
  | { kind: 'claim' }
  /** The same request finished: answer with its response, do nothing. */
  | { kind: 'replay'; response: StoredResponse }
  /** The same key for another request (other body, route or parameters): 422. */
  | { kind: 'mismatch' }
  /** The same request is still running: 409, retry later. */
  | { kind: 'in_progress' };

/** What a request with a key finds, given the record that holds the key now. */
export function decide(record: IdempotencyRecord | undefined, fingerprint: string, nowMs: number): Decision {
  if (!record || record.expiresAtMs <= nowMs) return { kind: 'claim' };
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (record.status === 'done' && record.response) return { kind: 'replay', response: record.response };
  if (record.leaseUntil <= nowMs) return { kind: 'claim' };
  return { kind: 'in_progress' };
}

/** Responses that are kept for repeats: everything but server errors. */
export const isStored = (status: number) => status < 500;

/** JSON with object keys sorted, so the same body with its fields in another order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
