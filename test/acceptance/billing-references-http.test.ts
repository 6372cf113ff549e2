/**
 * Money entries over HTTP, on a runtime of its own (the dev clock moves): a payment's or an
 * adjustment's reference is claimed for the life of the account, amounts have a scale and a bound,
 * and 30 concurrent money changes on one account never answer 500 and leave the ledger summing to
 * the balance.
 */
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

let own: OwnRuntime;
let token = '';
const call = async (method: string, path: string, body?: unknown) => {
  const t0 = Date.now();
  const r = await own.call(method, path, body, token);
  if (process.env.TRACE) console.log(method, path, r.status, Date.now() - t0, JSON.stringify(r.body).slice(0, 200));
  return r;
};

beforeAll(async () => {
  own = await startOwnRuntime('billing-refs', '2027-04-01T09:00:00Z');
  token = (await own.reseller('billrefs', { users: 20 })).token;
}, 120_000);

afterAll(async () => {
  await own?.stop();
});

async function subscribedUser(plan: Record<string, unknown> = {}) {
  const t = await call('POST', '/templates', { name: `refs-${Math.random().toString(16).slice(2, 8)}`, limits: { storageMb: 100 } });
  expect(t.status).toBe(201);
  const p = await call('PUT', `/templates/${t.body.id}/plan`, {
    plan: { name: 'Refs', resources: { mailbox_quota: { free: '10', setup: '1', recurrent: '2' } }, creditLimit: '1000', ...plan },
  });
  expect(p.status).toBe(200);
  const u = await call('POST', '/users', { limits: { storageMb: 10 }, personal: { firstName: 'R', lastName: 'F', email: 'r@example.com' } });
  expect(u.status).toBe(201);
  const opened = await call('POST', `/users/${u.body.username}/billing`, { templateId: t.body.id });
  expect(opened.status).toBe(201);
  return u.body.username as string;
}

async function ledger(user: string) {
  const lines: { id: string; type: string; amount: string; reference?: string }[] = [];
  let cursor: string | null = null;
  do {
    const res = await call('GET', `/users/${user}/billing/ledger?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    lines.push(...res.body.lines);
    cursor = res.body.nextCursor;
  } while (cursor);
  return lines;
}

const balance = async (user: string) => (await call('GET', `/users/${user}/billing`)).body.balance as string;

describe('payment and adjustment references', () => {
  it('the same payment reference, the same day or a later one, is the first payment; another amount is 409 naming reference', async () => {
    const user = await subscribedUser();
    const before = new Decimal(await balance(user));
    const first = await call('POST', `/users/${user}/billing/payments`, { amount: '10.00', reference: 'bank-1' });
    expect(first.status).toBe(201);
    expect(first.body.line).toMatchObject({ type: 'payment', amount: '-10.00', reference: 'bank-1' });
    const again = await call('POST', `/users/${user}/billing/payments`, { amount: '10', reference: 'bank-1' });
    expect(again.status).toBe(201);
    expect(again.body.line).toEqual(first.body.line);
    await own.goTo('2027-04-03');
    const later = await call('POST', `/users/${user}/billing/payments`, { amount: '10.00', reference: 'bank-1' });
    expect(later.status).toBe(201);
    expect(later.body.line).toEqual(first.body.line);
    const other = await call('POST', `/users/${user}/billing/payments`, { amount: '11.00', reference: 'bank-1' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('REFERENCE_REUSED');
    expect(other.body.error.fields).toHaveProperty('reference');
    const payments = (await ledger(user)).filter((l) => l.type === 'payment');
    expect(payments).toHaveLength(1);
    expect(new Decimal(await balance(user)).minus(before).toFixed(2)).toBe('10.00');
  }, 240_000);

  it('adjustments need a reference and are taken once by it', async () => {
    const user = await subscribedUser();
    const missing = await call('POST', `/users/${user}/billing/adjustments`, { amount: '-5.00', reason: 'goodwill' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty('reference');
    const before = new Decimal(await balance(user));
    const first = await call('POST', `/users/${user}/billing/adjustments`, { amount: '-5.00', reason: 'goodwill', reference: 'ticket-9' });
    expect(first.status).toBe(201);
    expect(first.body.line).toMatchObject({ type: 'adjustment', amount: '-5.00', reference: 'ticket-9' });
    const again = await call('POST', `/users/${user}/billing/adjustments`, { amount: '-5.00', reason: 'goodwill', reference: 'ticket-9' });
    expect(again.status).toBe(201);
    expect(again.body.line).toEqual(first.body.line);
    const other = await call('POST', `/users/${user}/billing/adjustments`, { amount: '5.00', reason: 'goodwill', reference: 'ticket-9' });
    expect(other.status).toBe(409);
    expect(other.body.error.fields).toHaveProperty('reference');
    // A payment may carry the same reference as an adjustment: they are different kinds.
    expect((await call('POST', `/users/${user}/billing/payments`, { amount: '1.00', reference: 'ticket-9' })).status).toBe(201);
    expect(new Decimal(await balance(user)).minus(before).toFixed(2)).toBe('6.00');
  });

  it('refuses amounts with more than 2 decimals or above 1,000,000,000, naming amount', async () => {
    const user = await subscribedUser();
    const bad: [string, unknown][] = [
      ['payments', { amount: '1.005', reference: 'a1' }],
      ['payments', { amount: '1000000000.01', reference: 'a2' }],
      ['payments', { amount: '9'.repeat(300), reference: 'a3' }],
      ['payments', { amount: 1e21, reference: 'a4' }],
      ['adjustments', { amount: '-1.001', reason: 'scale', reference: 'a5' }],
      ['adjustments', { amount: `-${'9'.repeat(300)}`, reason: 'bound', reference: 'a6' }],
      ['adjustments', { amount: '1000000001', reason: 'bound', reference: 'a7' }],
    ];
    const before = await balance(user);
    for (const [kind, body] of bad) {
      const res = await call('POST', `/users/${user}/billing/${kind}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields, JSON.stringify(body)).toHaveProperty('amount');
    }
    expect(await balance(user)).toBe(before);
    expect((await call('POST', `/users/${user}/billing/payments`, { amount: '1000000000', reference: 'max' })).status).toBe(201);
  });

  it('30 concurrent payments, adjustments and holding changes on one account: no 500, the ledger sums to the balance', async () => {
    const user = await subscribedUser();
    const requests = Array.from({ length: 30 }, (_, i) => {
      if (i % 3 === 0) return call('POST', `/users/${user}/billing/payments`, { amount: `${i + 1}.00`, reference: `p${i}` });
      if (i % 3 === 1) return call('POST', `/users/${user}/billing/adjustments`, { amount: `-${i}.50`, reason: 'race', reference: `a${i}` });
      return call('POST', `/users/${user}/billing/hold`, { hold: { mailbox_quota: String(10 + i) } });
    });
    const answers = await Promise.all(requests);
    for (const a of answers) {
      expect([200, 201, 409], JSON.stringify(a.body)).toContain(a.status);
      if (a.status === 409) expect(a.body.error.code).toBe('CONCURRENT_CHANGE');
    }
    const lines = await ledger(user);
    const sum = lines.reduce((s, l) => s.plus(l.amount), new Decimal(0));
    expect(sum.negated().toFixed(2)).toBe(new Decimal(await balance(user)).toFixed(2));
    // Every payment and adjustment that was answered 201 is in the ledger exactly once.
    const taken = answers.filter((a) => a.status === 201 && a.body.line).map((a) => a.body.line.reference);
    for (const ref of taken) expect(lines.filter((l) => l.reference === ref)).toHaveLength(1);
  }, 120_000);
});
