/**
 * Suspensions reach the server, on an embedded runtime of its own (the dev clock moves): a user
 * whose billing account is suspended at a close (balance below the credit limit) is locked on
 * local-1 (the neutral page, logins off, files kept); a payment that brings the balance back within
 * the limit unlocks it. The billing lock and the reseller's own lock are two flags: lifting one
 * keeps the other.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

let own: OwnRuntime;
let rt: Runtime;
let token = '';
const call = (method: string, path: string, body?: unknown, as = token) => own.call(method, path, body, as);

beforeAll(async () => {
  own = await startOwnRuntime('billing-lock', '2027-03-01T09:00:00Z');
  rt = own.rt;
  token = (await own.reseller('lockres', { users: 5 })).token;
}, 120_000);

afterAll(async () => {
  await own?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('billing suspension locks the hosted user on its server', () => {
  it('locks at the close below the credit limit, unlocks on a payment; the two locks are kept apart', async () => {
    const root = join(rt.dataDir, 'servers', 'local-1', 'root');
    const t = await call('POST', '/templates', { name: 'mail-prepaid', limits: { storageMb: 100, pop3Boxes: 1 } });
    expect(t.status).toBe(201);
    const plan = await call('PUT', `/templates/${t.body.id}/plan`, {
      plan: { name: 'Mail', resources: { mailbox: { free: '0', recurrent: '4' } }, creditLimit: '1' },
    });
    expect(plan.status).toBe(200);
    const created = await call('POST', '/users', {
      template: t.body.id,
      personal: { firstName: 'Lee', lastName: 'Ann', email: 'lee@example.com' },
      domains: [{ name: 'lockres-site.example.com' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const u = created.body.username as string;
    const site = join(root, 'etc', 'reseller-panel', 'sites', `${u}.conf`);
    const logins = join(root, 'etc', 'reseller-panel', 'users', `${u}.conf`);
    const view = async () => (await call('GET', `/users/${u}`)).body as { status: string; provisioning: { status: string; sequence: number; billingLocked: boolean } };
    /** Waits until the server has the user's current state, and says whether the server locks it. */
    const onServer = async () => {
      const p = await until(`${u} applied`, async () => {
        const v = await view();
        return v.provisioning.status === 'applied' && v.provisioning;
      });
      const conf = readFileSync(site, 'utf8');
      const locked = conf.includes('/var/lib/reseller-panel/locked');
      expect(readFileSync(logins, 'utf8')).toContain(locked ? 'login=disabled' : 'login=enabled');
      return { locked, sequence: p.sequence, billingLocked: p.billingLocked };
    };

    expect((await call('POST', `/users/${u}/billing`, { templateId: t.body.id })).status).toBe(201);
    const first = await onServer();
    expect(first.locked).toBe(false);
    writeFileSync(join(root, 'var', 'www', u, 'html', 'page.html'), '<p>mine</p>');

    // Charged 4.00 on opening against a credit limit of 1.00: the first close suspends the account.
    await own.goTo('2027-04-02');
    expect((await call('GET', `/users/${u}/billing`)).body.status).toBe('suspended');
    const suspended = await onServer();
    expect(suspended).toMatchObject({ locked: true, billingLocked: true });
    expect(suspended.sequence).toBeGreaterThan(first.sequence);
    expect(readFileSync(join(root, 'var', 'www', u, 'html', 'page.html'), 'utf8')).toBe('<p>mine</p>');
    expect((await view()).status).toBe('enabled');
    const log = (await call('GET', '/account/messages?limit=100')).body.items as { text: string }[];
    expect(log.some((m) => m.text.includes(`${u} is locked on its server`))).toBe(true);

    // The reseller's own lock and unlock do not lift the billing lock.
    expect((await call('POST', `/users/${u}/lock`)).status).toBe(200);
    expect((await call('POST', `/users/${u}/unlock`)).status).toBe(200);
    expect(await onServer()).toMatchObject({ locked: true, billingLocked: true });

    // The reseller locks again; a payment resumes the account, which lifts only the billing lock.
    expect((await call('POST', `/users/${u}/lock`)).status).toBe(200);
    const paid = await call('POST', `/users/${u}/billing/payments`, { amount: '10.00', reference: 'bank-1' });
    expect(paid.status).toBe(201);
    expect((await call('GET', `/users/${u}/billing`)).body.status).toBe('active');
    expect(await onServer()).toMatchObject({ locked: true, billingLocked: false });

    // The reseller's unlock: nothing locks the user any more.
    expect((await call('POST', `/users/${u}/unlock`)).status).toBe(200);
    expect(await onServer()).toMatchObject({ locked: false, billingLocked: false });
    expect(existsSync(join(root, 'var', 'www', u, 'html', 'page.html'))).toBe(true);
    const after = (await call('GET', '/account/messages?limit=100')).body.items as { text: string }[];
    expect(after.some((m) => m.text.includes(`${u} is unlocked on its server`))).toBe(true);
  }, 300_000);
});
