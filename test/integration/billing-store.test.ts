/**
 * The billing store on DynamoDB Local: concurrent writers, repeated daily runs, and the rule that a
 * ledger line is written once and never edited. It runs on an embedded runtime of its own: the
 * daily job moves every account of its table to 2027, which must not touch other tests' accounts.
 * Accounts are set up through the HTTP API; the billing use cases then run in-process with a
 * clock of the test's own, on the same table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime';
import { composeFromEnv, type AppDeps } from '../../shared/adapters/compose';
import { openBillingAccount, recordPayment, changeHolding, listLedger, getBillingAccount } from '../../shared/app/billing/accounts';
import { putPlan } from '../../shared/app/billing/plans';
import { runBillingDayInline, runBillingDaysInline } from '../../shared/app/billing/run-inline';
import { load } from '../../shared/app/billing/account-store';
import { StaleAccountError } from '../../shared/ports/billing-repository';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

let own: OwnRuntime;
let rt: Runtime;
beforeAll(async () => {
  own = await startOwnRuntime('billing-store');
  rt = own.rt;
}, 120_000);
afterAll(async () => {
  await own?.stop();
});

const call = (method: string, path: string, body?: unknown, token?: string) => own.call(method, path, body, token);
let resellers = 0;
const newReseller = () => own.reseller(`store${++resellers}`, { users: 10 });

let now = new Date('2027-06-01T10:00:00Z');
async function deps(): Promise<AppDeps> {
  return composeFromEnv(
    { ...rt.dbEnv, DATA_DIR: rt.dataDir },
    { clock: { now: () => now } },
  );
}

async function setup() {
  const reseller = await newReseller();
  const actor = { role: 'reseller' as const, username: reseller.username, resellerId: reseller.id };
  const d = await deps();
  const t = await call('POST', '/templates', { name: 'billing store', limits: { storageMb: 10 } }, reseller.token);
  await putPlan(d, actor, t.body.id, {
    plan: { name: 'Store', resources: { mailbox_quota: { free: '10', setup: '1', recurrent: '2', usage: '5' } }, creditLimit: '1000' },
  });
  const u = await call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'S', lastName: 'T', email: 's@example.com' } }, reseller.token);
  const user = u.body.username as string;
  await openBillingAccount(d, actor, user, { templateId: t.body.id, periodMonths: 1 });
  return { d, actor, user, reseller };
}

describe('billing store on DynamoDB Local', () => {
  it('takes concurrent payments without losing one (optimistic version, retried)', async () => {
    now = new Date('2027-06-01T10:00:00Z');
    const { d, actor, user } = await setup();
    await Promise.all(['1', '2', '3', '4', '5'].map((n) => recordPayment(d, actor, user, { amount: `${n}.00`, reference: `p${n}` })));
    const account = await getBillingAccount(d, actor, user);
    expect(account.balance).toBe('15.00');
    const payments = (await listLedger(d, actor, user, { limit: 100 })).lines.filter((l) => l.type === 'payment');
    expect(payments.map((p) => p.amount).sort()).toEqual(['-1.00', '-2.00', '-3.00', '-4.00', '-5.00']);
  });

  it('runs the daily job twice at once for the same day and writes every line once', async () => {
    now = new Date('2027-06-01T10:00:00Z');
    const { d, actor, user } = await setup();
    await changeHolding(d, actor, user, { hold: { mailbox_quota: '15' } });
    now = new Date('2027-07-03T10:00:00Z');
    // Two schedules (two planners and their workers) for every day of the month at once.
    const [a, b] = await Promise.all([runBillingDaysInline(d, '2027-06-02', '2027-07-02'), runBillingDaysInline(d, '2027-06-02', '2027-07-02')]);
    expect([...a, ...b].every((r) => r.failed === 0)).toBe(true);
    const lines = (await listLedger(d, actor, user, { limit: 100 })).lines.filter((l) => !('pending' in l));
    const ids = lines.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Jun 1: setup 5 x 1 and recurrent 5 x 2; Jul 1: the renewal's recurrent 5 x 2.
    expect(lines.map((l) => `${l.date} ${l.type} ${l.amount}`).sort()).toEqual([
      '2027-06-01 recurrent 10.00',
      '2027-06-01 setup 5.00',
      '2027-07-01 recurrent 10.00',
    ]);
    const again = await runBillingDayInline(d, '2027-07-02', { resume: true });
    expect(again?.failed).toBe(0);
    expect((await listLedger(d, actor, user, { limit: 100 })).lines.filter((l) => !('pending' in l))).toEqual(lines);
  });

  it('refuses to write an existing ledger line again, and a stale account version, as one failed transaction', async () => {
    now = new Date('2027-06-01T10:00:00Z');
    const { d, actor, reseller, user } = await setup();
    await changeHolding(d, actor, user, { hold: { mailbox_quota: '12' } });
    const loaded = await load(d, reseller.id, user);
    const line = { id: '2027-06-01#mailbox_quota#setup', date: '2027-06-01', resource: 'mailbox_quota', type: 'setup' as const, quantity: '1', amount: '99.00' };
    // Right version, but the line id exists after the day is settled: nothing is written.
    now = new Date('2027-06-02T10:00:00Z');
    await runBillingDayInline(d, '2027-06-02', { resume: true });
    const fresh = await load(d, reseller.id, user);
    await expect(
      d.billing.write({ account: { ...fresh.account, version: fresh.account.version + 1 }, expectedVersion: fresh.account.version, lines: [line], messages: [] }),
    ).rejects.toBeInstanceOf(StaleAccountError);
    // A stale version: nothing is written either.
    await expect(
      d.billing.write({ account: loaded.account, expectedVersion: loaded.account.version, lines: [{ ...line, id: '2027-06-01#x#setup' }], messages: [] }),
    ).rejects.toBeInstanceOf(StaleAccountError);
    const after = await d.billing.listLedger(reseller.id, user, { limit: 100 });
    expect(after.items.find((l) => l.id === line.id)?.amount).not.toBe('99.00');
    expect(after.items.find((l) => l.id === '2027-06-01#x#setup')).toBeUndefined();
  });
});
