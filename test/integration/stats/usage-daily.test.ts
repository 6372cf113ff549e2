/**
 * The daily usage job on DynamoDB Local: figures stored under the user's reseller, totals per
 * reseller and server, billing fed exactly once per account and day (a re-run changes nothing),
 * usage that arrives after the account moved on carried into its current day, a gap caught up
 * from the stored figures. A fake Provisioner stands in for the servers; the shared runtime's dev
 * clock is never moved (explicit days only).
 */
import { localDbEnv } from '../../support/local-db';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeFromEnv, type AppDeps } from '../../../shared/adapters/compose';
import { advanceTo } from '../../../shared/app/billing/account-store';
import { runUsageDay, type UsageJobDeps } from '../../../shared/app/stats/usage-daily';
import { stateFromJSON } from '../../../shared/domain/billing/engine';
import { addDays } from '../../../shared/domain/stats/usage';
import type { UserUsage } from '../../../shared/ports/provisioner';
import { api, newReseller, newUser, operator, type TestReseller } from '../../support/api';

const GB = 1024 ** 3;
let app: AppDeps;
let today: string;
let owner: TestReseller;
let templateId: string;

/** A fake fleet: servers and what each reports for a day. */
function fleet(reports: Record<string, Record<string, UserUsage[]>>): UsageJobDeps {
  return {
    ...app,
    usage: app.usage,
    servers: {
      list: async () =>
        Object.keys(reports).map((id) => ({ id, name: id, instanceId: null, addresses: [], capacity: -1, users: 0, isDefault: false, createdAt: '', updatedAt: '' })),
    },
    provisioner: {
      report: async (serverId, date) => ({ ok: true, serverId, date, users: reports[serverId]?.[date] ?? [] }),
    },
  };
}

async function userWithAccount(): Promise<string> {
  const u = await newUser(owner);
  const acct = await api('POST', `/users/${u.username}/billing`, { token: owner.token, body: { templateId } });
  expect(acct.status).toBe(201);
  return u.username as string;
}

const windowOf = async (username: string, resource: string) => {
  const a = await app.billing.getAccount(owner.id, username);
  const s = stateFromJSON(a!.state);
  return { account: a!, used: s.resources[resource]?.window?.used.toFixed(), measure: s.resources[resource]?.window?.lastMeasure?.toFixed() };
};

beforeAll(async () => {
  app = await composeFromEnv(localDbEnv());
  const clock = await api('GET', '/__dev/clock', { token: await operator() });
  today = (clock.body.now as string).slice(0, 10);
  owner = await newReseller();
  const t = await api('POST', '/templates', { token: owner.token, body: { name: 'usage plan', limits: { storageMb: 10 } } });
  templateId = t.body.id;
  const plan = await api('PUT', `/templates/${templateId}/plan`, {
    token: owner.token,
    body: {
      plan: {
        name: 'Usage',
        resources: { traffic: { free: '1', usage: '1' }, disk_quota: { free: '10', usage: '0.1' } },
        creditLimit: '1000',
      },
    },
  });
  expect(plan.status).toBe(200);
}, 60_000);

describe('usage-daily job', () => {
  it('stores every user under its reseller and feeds billing exactly once, however often it runs', async () => {
    const billed = await userWithAccount();
    const plain = (await newUser(owner)).username as string; // no billing account
    const reports = {
      'it-a': { [today]: [{ username: billed, diskKb: 3 * 1024, webBytes: 1.5 * GB, ftpBytes: 0.5 * GB + 1 }, { username: 'web999999999', diskKb: 1, webBytes: 1, ftpBytes: 1 }] },
      'it-b': { [today]: [{ username: plain, diskKb: 100, webBytes: 1000, ftpBytes: 24 }] },
    };
    const before = (await app.billing.getAccount(owner.id, billed))!;

    const first = await runUsageDay(fleet(reports), today);
    expect(first.servers.every((s) => s.ok)).toBe(true);
    expect(first.unknownUsers).toContain('web999999999');
    expect(first.stored).toBeGreaterThanOrEqual(2);
    const afterFirst = await windowOf(billed, 'traffic');
    expect(afterFirst.account.usageThrough).toBe(today);
    expect(afterFirst.account.version).toBe(before.version + 1);
    // 2 GB + 1 byte, exactly.
    expect(afterFirst.used).toBe('2.000000000931322574615478515625');
    expect((await windowOf(billed, 'disk_quota')).measure).toBe('3');

    const second = await runUsageDay(fleet(reports), today);
    expect(second.billing.already).toBeGreaterThanOrEqual(1);
    const afterSecond = await windowOf(billed, 'traffic');
    expect(afterSecond.account.version).toBe(afterFirst.account.version);
    expect(afterSecond.used).toBe(afterFirst.used);

    // The same items, the same values.
    const month = today.slice(0, 7);
    expect((await app.usage.userMonth(owner.id, billed, month)).days[today]).toEqual({ diskKb: 3072, webBytes: 1.5 * GB, ftpBytes: 0.5 * GB + 1 });
    expect((await app.usage.userMonth(owner.id, plain, month)).days[today]).toEqual({ diskKb: 100, webBytes: 1000, ftpBytes: 24 });
    const totals = await app.usage.resellerMonths(owner.id, month, month);
    expect(totals).toHaveLength(1);
    expect(totals[0]!.days[today]).toEqual({ diskKb: 3072 + 100, webBytes: 1.5 * GB + 1000, ftpBytes: 0.5 * GB + 1 + 24, users: 2 });
  });

  it('usage of a day the account has already moved past is carried into its current day, with a notice', async () => {
    const username = await userWithAccount();
    await advanceTo(app, owner.id, username, addDays(today, 1));
    const res = await runUsageDay(fleet({ 'it-a': { [today]: [{ username, diskKb: 0, webBytes: GB / 4, ftpBytes: 0 }] } }), today);
    expect(res.billing.carried).toBe(1);
    const w = await windowOf(username, 'traffic');
    expect(w.used).toBe('0.25');
    expect(w.account.usageThrough).toBe(today);
    const notices = await api('GET', '/account/messages?type=notice&limit=100', { token: owner.token });
    expect(JSON.stringify(notices.body)).toContain(`usage of ${today} arrived after the account moved to ${addDays(today, 1)}`);
  });

  it('a day before the account opened is not billed; a gap since the last day fed is caught up from the stored figures', async () => {
    const username = await userWithAccount();
    const yesterday = addDays(today, -1);
    const one = (d: string, bytes: number) => ({ [d]: [{ username, diskKb: 10, webBytes: bytes, ftpBytes: 0 }] });
    const early = await runUsageDay(fleet({ 'it-a': one(yesterday, GB) }), yesterday);
    expect(early.billing['before-start']).toBe(1);
    expect((await windowOf(username, 'traffic')).used).toBe('0');

    await runUsageDay(fleet({ 'it-a': one(today, GB) }), today);
    // Day +1 was stored, but its billing never happened (e.g. the run failed after storing).
    await app.usage.putDay(owner.id, 'it-a', addDays(today, 1), [{ username, diskKb: 10, webBytes: 2 * GB, ftpBytes: 0 }]);
    await runUsageDay(fleet({ 'it-a': one(addDays(today, 2), 4 * GB) }), addDays(today, 2));
    const w = await windowOf(username, 'traffic');
    expect(w.used).toBe('7');
    expect(w.account.usageThrough).toBe(addDays(today, 2));
  });

  it('a failed server report is recorded and does not stop the others', async () => {
    const deps = fleet({ 'it-a': {} });
    deps.servers = { list: async () => [{ id: 'broken', name: 'b', instanceId: null, addresses: [], capacity: -1, users: 0, isDefault: false, createdAt: '', updatedAt: '' }] };
    deps.provisioner = { report: async (serverId) => ({ ok: false, serverId, error: 'script failed', retryable: true }) };
    const res = await runUsageDay(deps, today);
    expect(res.servers).toEqual([{ serverId: 'broken', ok: false, users: 0, error: 'script failed' }]);
  });
});
