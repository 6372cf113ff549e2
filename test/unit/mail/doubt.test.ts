import { describe, expect, it } from 'vitest';
import { mayCallSes, resolveDoubt } from '../../../shared/domain/mail/outbox';
import { classifySesError } from '../../../shared/adapters/ses/sesv2-mailer';

const claimedAtMs = 1_000_000;
const lease = 60;
const wait = 900;
const at = (nowMs: number, acceptance: Parameters<typeof resolveDoubt>[0]['acceptance']) =>
  resolveDoubt({ claimedAtMs, nowMs, leaseSeconds: lease, confirmWaitSeconds: wait, acceptance });
const leaseEnd = claimedAtMs + lease * 1000;
const waitEnd = leaseEnd + wait * 1000;

describe('resolveDoubt', () => {
  it('waits while the lease runs, whatever the evidence (its sender may still be at work)', () => {
    expect(at(claimedAtMs, { accepted: 'ses-1' })).toEqual({ waitMs: lease * 1000 + 1 });
    expect(at(leaseEnd, { absent: true })).toEqual({ waitMs: 1 });
  });

  it('after the lease: SES has it → accepted with its id; SES certainly lacks it → send again', () => {
    expect(at(leaseEnd + 1, { accepted: 'ses-1' })).toEqual({ accepted: 'ses-1' });
    expect(at(leaseEnd + 1, { absent: true })).toEqual({ sendAgain: true });
    // Evidence decides even long after the wait.
    expect(at(waitEnd + 10_000, { accepted: 'ses-2' })).toEqual({ accepted: 'ses-2' });
    expect(at(waitEnd + 10_000, { absent: true })).toEqual({ sendAgain: true });
  });

  it('cannot tell: waits for the Send event until lease + confirm wait, then unconfirmed (never sent again)', () => {
    expect(at(leaseEnd + 1, { unknown: true })).toEqual({ waitMs: wait * 1000 - 1 });
    expect(at(waitEnd - 1, { unknown: true })).toEqual({ waitMs: 1 });
    const r = at(waitEnd, { unknown: true });
    expect(r).toHaveProperty('unconfirmed');
    expect((r as { unconfirmed: string }).unconfirmed).toMatch(/unconfirmed.*not sent again, so that it arrives at most once/);
  });

  it('a confirm wait of 0 ends unconfirmed right after the lease', () => {
    expect(resolveDoubt({ claimedAtMs, nowMs: leaseEnd + 1, leaseSeconds: lease, confirmWaitSeconds: 0, acceptance: { unknown: true } })).toHaveProperty('unconfirmed');
  });
});

describe('mayCallSes', () => {
  it('only while the call ends inside the lease', () => {
    expect(mayCallSes({ claimedAtMs, nowMs: leaseEnd - 5000, leaseSeconds: lease, callMs: 5000 })).toBe(true);
    expect(mayCallSes({ claimedAtMs, nowMs: leaseEnd - 4999, leaseSeconds: lease, callMs: 5000 })).toBe(false);
  });
});

describe('classifySesError: no answer is unknown unless the request never left', () => {
  const kind = (e: object) => classifySesError(Object.assign(new Error('x'), e)).kind;
  it('unknown: request timeout, reset, hang-up, any error without an HTTP status', () => {
    expect(kind({ name: 'TimeoutError', code: 'ETIMEDOUT', message: '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 5000 ms requestTimeout.' })).toBe('unknown');
    expect(kind({ name: 'TimeoutError', code: 'ECONNRESET', syscall: 'read' })).toBe('unknown');
    expect(kind({ name: 'Error', code: 'ECONNRESET', message: 'socket hang up' })).toBe('unknown');
    expect(kind({ name: 'Error' })).toBe('unknown');
  });
  it('transient: SES never got it (refused, no name, connection timeout, certificate)', () => {
    expect(kind({ code: 'ECONNREFUSED', syscall: 'connect' })).toBe('transient');
    expect(kind({ code: 'ENOTFOUND', syscall: 'getaddrinfo' })).toBe('transient');
    expect(kind({ code: 'EAI_AGAIN' })).toBe('transient');
    expect(kind({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).toBe('transient');
    expect(kind({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toBe('transient');
    expect(kind({ name: 'TimeoutError', message: '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 2000 ms.' })).toBe('transient');
  });
  it('SES answered: throttles, 5xx and pauses as before, other 4xx permanent', () => {
    expect(kind({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })).toBe('throttled');
    expect(kind({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })).toBe('transient');
    expect(kind({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })).toBe('transient');
    expect(kind({ name: 'SendingPausedException', $metadata: { httpStatusCode: 400 } })).toBe('transient');
    expect(kind({ name: 'MessageRejected', $metadata: { httpStatusCode: 400 } })).toBe('permanent');
  });
});
