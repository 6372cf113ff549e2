import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { addressesProblem, classifyAddress, eventPayload, formatSecret, nextAttemptDelay, signature, urlProblem, DEFAULT_DELIVERY } from '../../../shared/domain/webhooks';
import { HttpWebhookSender, targetPolicyFromEnv } from '../../../shared/adapters/webhook-http';

const AWS = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

describe('webhook signatures (Standard Webhooks)', () => {
  it('are verified by the spec library, and match its own signing', () => {
    const secret = formatSecret(Buffer.alloc(32, 7));
    expect(secret).toMatch(/^whsec_/);
    const body = eventPayload({ type: 'user.created', occurredAt: '2027-01-01T00:00:00.000Z', data: { username: 'web1' } });
    const ts = Math.floor(Date.now() / 1000);
    const sig = signature(secret, 'evt_abc', ts, body);
    const wh = new Webhook(secret);
    expect(wh.verify(body, { 'webhook-id': 'evt_abc', 'webhook-timestamp': String(ts), 'webhook-signature': sig })).toMatchObject({ type: 'user.created' });
    expect(sig).toBe(wh.sign('evt_abc', new Date(ts * 1000), body));
    expect(() => wh.verify(`${body} `, { 'webhook-id': 'evt_abc', 'webhook-timestamp': String(ts), 'webhook-signature': sig })).toThrow();
  });
});

describe('webhook targets (SSRF)', () => {
  it('classifies addresses', () => {
    for (const a of ['10.0.0.1', '172.16.5.5', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', 'fd00:ec2::254', 'fe80::1', '::', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '224.0.0.1']) {
      expect(classifyAddress(a), a).toBe('private');
    }
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) expect(classifyAddress(a), a).toBe('loopback');
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700::1111']) expect(classifyAddress(a), a).toBe('public');
  });

  it('refuses http:// on AWS and allows it to loopback only in the embedded runtime', () => {
    expect(urlProblem('http://127.0.0.1:8080/x', AWS)).toMatch(/https/);
    expect(urlProblem('http://shop.example.com/x', LOCAL)).toMatch(/https/);
    expect(urlProblem('http://127.0.0.1:8080/x', LOCAL)).toBeUndefined();
    expect(urlProblem('https://shop.example.com/x', AWS)).toBeUndefined();
    expect(addressesProblem(['127.0.0.1'], 'https:', AWS)).toMatch(/loopback/);
    expect(addressesProblem(['127.0.0.1'], 'https:', LOCAL)).toBeUndefined();
    expect(addressesProblem(['93.184.215.14', '10.0.0.1'], 'https:', AWS)).toMatch(/10\.0\.0\.1/);
  });

  it('checks what a name resolves to, at creation and before each attempt', async () => {
    const sender = new HttpWebhookSender(AWS, async (host) => (host === 'rebind.example' ? ['169.254.169.254'] : ['93.184.215.14']));
    expect(await sender.check('https://rebind.example/hook')).toMatch(/169\.254\.169\.254/);
    expect(await sender.check('https://ok.example/hook')).toBeUndefined();
    const out = await sender.post('https://rebind.example/hook', {}, '{}', 1000);
    expect(out.error).toMatch(/refused/);
  });

  it('WEBHOOK_ALLOW_LOOPBACK is refused outside the embedded runtime', () => {
    expect(() => targetPolicyFromEnv({ WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(/embedded runtime/);
    expect(targetPolicyFromEnv({ WEBHOOK_ALLOW_LOOPBACK: 'true', IDENTITY_MODE: 'local', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual(LOCAL);
    expect(targetPolicyFromEnv({})).toEqual(AWS);
  });
});

describe('retry schedule', () => {
  it('follows the spec example with jitter, honours Retry-After, and ends', () => {
    expect(nextAttemptDelay(DEFAULT_DELIVERY, 1, 0.5)).toBe(5);
    expect(nextAttemptDelay(DEFAULT_DELIVERY, 2, 0)).toBe(270);
    expect(nextAttemptDelay(DEFAULT_DELIVERY, 1, 0.5, 120)).toBe(120);
    expect(nextAttemptDelay(DEFAULT_DELIVERY, 5, 0.5)).toBe(18000);
    expect(nextAttemptDelay(DEFAULT_DELIVERY, 6, 0.5)).toBeNull();
  });
});
