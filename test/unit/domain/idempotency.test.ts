import { describe, expect, it } from 'vitest';
import { canonicalJson, decide, KEY_TTL_MS, keyProblem, LEASE_MS, type IdempotencyRecord } from '../../../shared/domain/idempotency';

const t0 = Date.parse('2027-01-01T00:00:00Z');
const record = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  fingerprint: 'fp',
  status: 'done',
  leaseUntil: t0 + LEASE_MS,
  expiresAtMs: t0 + KEY_TTL_MS,
  response: { status: 201, body: '{}' },
  ...over,
});

describe('idempotency rules (time passed in)', () => {
  it('replays a finished request until 24 h after its first use, then the key is new', () => {
    expect(decide(record(), 'fp', t0 + KEY_TTL_MS - 1).kind).toBe('replay');
    expect(decide(record(), 'fp', t0 + KEY_TTL_MS).kind).toBe('claim');
    expect(decide(undefined, 'fp', t0).kind).toBe('claim');
  });

  it('another request with the key is a mismatch, also while the first runs', () => {
    expect(decide(record(), 'other', t0).kind).toBe('mismatch');
    expect(decide(record({ status: 'in_progress', response: undefined }), 'other', t0).kind).toBe('mismatch');
    expect(decide(record(), 'other', t0 + KEY_TTL_MS).kind).toBe('claim');
  });

  it('a running request holds the key for its lease; a dead one can be taken over after it', () => {
    const running = record({ status: 'in_progress', response: undefined });
    expect(decide(running, 'fp', t0 + LEASE_MS - 1).kind).toBe('in_progress');
    expect(decide(running, 'fp', t0 + LEASE_MS).kind).toBe('claim');
  });

  it('keys: 1-255 visible ASCII characters', () => {
    expect(keyProblem('0b6f4b3e-8a54-4d1c-9a53-5f0e4f8a0c11')).toBeUndefined();
    expect(keyProblem('k'.repeat(255))).toBeUndefined();
    expect(keyProblem('')).toMatch(/empty/);
    expect(keyProblem('k'.repeat(256))).toMatch(/255/);
    for (const bad of ['a b', 'tab\there', 'caf\u00e9', 'line\n']) expect(keyProblem(bad)).toMatch(/ASCII/);
  });

  it('the same body with its fields in another order is the same request', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
