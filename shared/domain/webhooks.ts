/**
 * Webhooks (docs/webhooks.md), following the Standard Webhooks specification: event types, the
 * payload, the signature, the retry schedule and which target addresses are refused (SSRF). Pure:
 * time comes in as an argument.
 */
import { createHmac } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.provisioned',
  'user.provisioning_failed',
  'user.deleted',
  'billing.charged',
  'billing.suspended',
  'billing.resumed',
  'circular.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** At most this many endpoints per reseller. */
export const MAX_WEBHOOKS = 10;

/** An event as stored (in the transaction of the change it reports) and delivered. */
export interface WebhookEvent {
  /** `evt_` + time-sortable base36 + random: the `webhook-id` header (no `.`, as the spec asks). */
  id: string;
  resellerId: string;
  type: WebhookEventType;
  /** When it happened (the product's clock: the dev clock locally). */
  occurredAt: string;
  data: Record<string, unknown>;
  /** Real time in ms when it was written (the sweeper's cut-off; never the dev clock). */
  createdMs: number;
}

export function newEventId(nowMs: number, random: string): string {
  return `evt_${nowMs.toString(36).padStart(9, '0')}${random.replace(/[^0-9a-z]/gi, '').slice(0, 16).toLowerCase()}`;
}

export const EVENT_ID_PATTERN = /^evt_[0-9a-z]{9,40}$/;
export const WEBHOOK_ID_PATTERN = /^wh_[0-9a-z]{8,40}$/;

/** The body of every delivery (the spec's recommended structure), serialised once so retries sign the same bytes. */
export function eventPayload(e: Pick<WebhookEvent, 'type' | 'occurredAt' | 'data'>): string {
  return JSON.stringify({ type: e.type, timestamp: e.occurredAt, data: e.data });
}

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes (the spec: 24..64 bytes). */
export function formatSecret(bytes: Uint8Array): string {
  if (bytes.length < 24 || bytes.length > 64) throw new Error('a webhook secret needs 24..64 bytes');
  return `whsec_${Buffer.from(bytes).toString('base64')}`;
}

/** The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's bytes. */
export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  if (!secret.startsWith('whsec_')) throw new Error('not a whsec_ secret');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export interface DeliveryPolicy {
  /** Delays before attempt 2, 3, …: the number of attempts is one more than its length. */
  retrySeconds: number[];
  /** Per attempt. */
  timeoutMs: number;
}

/** The spec's example schedule, cut at five retries: immediately, 5 s, 5 min, 30 min, 2 h, 5 h (six attempts over 7.6 h). */
export const DEFAULT_DELIVERY: DeliveryPolicy = { retrySeconds: [5, 300, 1800, 7200, 18000], timeoutMs: 15_000 };

/**
 * When attempt `n+1` is due after attempt `n` failed (null: it was the last). ±10 % jitter
 * (`random` in [0,1)); a `Retry-After` of the receiver (429, 503) is honoured up to an hour.
 */
export function nextAttemptDelay(policy: DeliveryPolicy, attemptInRound: number, random: number, retryAfterSeconds?: number): number | null {
  const base = policy.retrySeconds[attemptInRound - 1];
  if (base === undefined) return null;
  const jittered = base * (0.9 + 0.2 * random);
  const wanted = retryAfterSeconds !== undefined ? Math.max(jittered, Math.min(3600, retryAfterSeconds)) : jittered;
  return Math.max(0, Math.round(wanted * 1000) / 1000);
}

/** What an attempt's outcome means: 2xx succeeded; 410 Gone ends the delivery (the receiver does not want it); anything else is retried. */
export function attemptVerdict(statusCode: number | undefined): 'succeeded' | 'gone' | 'retry' {
  if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return 'succeeded';
  if (statusCode === 410) return 'gone';
  return 'retry';
}

// ---------------------------------------------------------------------------------------- SSRF

const REFUSED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) REFUSED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) REFUSED.addSubnet(net, bits, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d / ::ffff:xxxx:xxxx), if it is one. */
function mappedV4(address: string): string | undefined {
  const m = /^::ffff:(.+)$/i.exec(address);
  if (!m) return undefined;
  if (isIP(m[1]!) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]!);
  if (!hex) return undefined;
  const a = parseInt(hex[1]!, 16);
  const b = parseInt(hex[2]!, 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

export type AddressClass = 'public' | 'loopback' | 'private';

/** Public, loopback, or anything else a webhook must not reach (private, link-local, metadata, reserved, multicast). */
export function classifyAddress(address: string): AddressClass {
  const v4 = mappedV4(address);
  if (v4) return classifyAddress(v4);
  const family = isIP(address);
  if (family === 0) return 'private';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(address, type)) return 'loopback';
  return REFUSED.check(address, type) ? 'private' : 'public';
}

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_LOOPBACK: the embedded runtime only; http:// and loopback addresses are allowed then. */
  allowLoopback: boolean;
}

/** localhost or a loopback address literal (the only http:// targets, and only where loopback is allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || (isIP(h) !== 0 && classifyAddress(h) === 'loopback');
}

/** The checks on the URL itself (before DNS): a reason naming what is wrong, or undefined. */
export function urlProblem(raw: string, policy: TargetPolicy): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.protocol !== 'https:' && !(policy.allowLoopback && u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    return policy.allowLoopback ? 'must be an https:// URL (http:// only to a loopback address in the embedded runtime)' : 'must be an https:// URL';
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.hash) return 'must not have a #fragment';
  if (!u.hostname) return 'needs a host';
  return undefined;
}

/** The verdict on the addresses a host resolved to: every one must be public (or loopback where allowed). */
export function addressesProblem(addresses: readonly string[], protocol: string, policy: TargetPolicy): string | undefined {
  if (!addresses.length) return 'does not resolve to any address';
  for (const a of addresses) {
    const c = classifyAddress(a);
    if (c === 'private') return `resolves to ${a}, a private, link-local or reserved address`;
    if (c === 'loopback' && !policy.allowLoopback) return `resolves to ${a}, a loopback address`;
  }
  if (protocol === 'http:' && !addresses.every((a) => classifyAddress(a) === 'loopback')) return 'must be an https:// URL';
  return undefined;
}
