import { inject } from 'vitest';
import { api, type TestReseller } from './api';

export interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  headers?: { name: string; value: string }[];
}

/** What the local SES accepted (its GET /store), optionally of another SES than the shared runtime's. */
export async function sesStore(sesUrl = inject('sesUrl')): Promise<StoredMail[]> {
  const res = await fetch(`${sesUrl}/store`);
  return ((await res.json()) as { emails: StoredMail[] }).emails;
}

export async function mailsTo(address: string, sesUrl?: string): Promise<StoredMail[]> {
  return (await sesStore(sesUrl)).filter((e) => e.destination.to.includes(address));
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until an outbox message is sent or failed; returns GET /outbox/{id}. */
export function settled(owner: TestReseller, messageId: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const res = await api('GET', `/outbox/${messageId}`, { token: owner.token });
    return res.body?.status === 'sent' || res.body?.status === 'failed' ? res.body : undefined;
  }, timeoutMs, `outbox message ${messageId} settled`);
}

/** Waits until a circular is done; returns GET /circulars/{id}. */
export function circularDone(owner: { token: string }, id: string, timeoutMs = 60_000, call = api) {
  return eventually(async () => {
    const res = await call('GET', `/circulars/${id}?limit=100`, { token: owner.token });
    return res.body?.status === 'done' ? res.body : undefined;
  }, timeoutMs, `circular ${id} done`);
}
