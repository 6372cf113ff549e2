/**
 * Billing period close through the stored accounts: N hosted users on a plan, then the daily job for
 * the day their period ends (window closes, renewal, lines). Reports accounts per second and the
 * DynamoDB round trips per account by command: a period close is one TransactWriteItems.
 */
import type { AppDeps } from '../shared/adapters/compose';
import { runBillingDay } from '../shared/app/billing/daily';
import { httpCall, round, type BenchResult } from './lib';

interface Ctx {
  url: string;
  deps: AppDeps;
  operatorToken: string;
}

async function call(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await httpCall(url, method, path, token, body);
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const addMonth = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return target.toISOString().slice(0, 10);
};

export async function runBillingCloseBench(ctx: Ctx): Promise<BenchResult[]> {
  const { url, deps, operatorToken } = ctx;
  const N = Number(process.env.BENCH_BILLING_ACCOUNTS ?? 30);
  await call(url, 'POST', '/operator/resellers', operatorToken, {
    username: 'benchbilling',
    password: 'bench-billing-password',
    email: 'bb@example.com',
    limits: { users: -1 },
  });
  const token = (await call(url, 'POST', '/auth/login', '', { username: 'benchbilling', password: 'bench-billing-password' })).token;
  const template = await call(url, 'POST', '/templates', token, { name: 'bench plan', limits: { storageMb: 100 } });
  await call(url, 'PUT', `/templates/${template.id}/plan`, token, {
    plan: {
      name: 'Bench',
      resources: { traffic: { free: '10', recurrent: '2', usage: '5' }, mailbox: { free: '1', setup: '1', recurrent: '0.5' } },
      creditLimit: '1000',
    },
  });
  for (let i = 0; i < N; i++) {
    const user = await call(url, 'POST', '/users', token, {
      limits: { storageMb: 10, trafficGb: 12, pop3Boxes: 3 },
      personal: { firstName: 'B', lastName: 'B', email: 'b@example.com' },
    });
    await call(url, 'POST', `/users/${user.username}/billing`, token, { templateId: template.id });
  }
  const opened = deps.clock.now().toISOString().slice(0, 10);
  const closeDay = addMonth(opened);
  const before = { ...deps.roundTrips.byCommand };
  const t = performance.now();
  const result = await runBillingDay(deps, closeDay);
  const ms = performance.now() - t;
  const per = (name: string) => round(((deps.roundTrips.byCommand[name] ?? 0) - (before[name] ?? 0)) / Math.max(1, result.advanced), 2);
  const accountsInTable = result.advanced + result.upToDate;
  return [
    {
      name: 'billing period close (daily job, stored accounts)',
      figures: {
        accounts_closed: result.advanced,
        accounts_listed: accountsInTable,
        failed: result.failed.length,
        accounts_per_s: round((result.advanced * 1000) / ms, 1),
        transact_writes_per_account: per('TransactWriteItems'),
        get_items_per_account: per('GetItem'),
        queries_total: (deps.roundTrips.byCommand.Query ?? 0) - (before.Query ?? 0),
      },
    },
  ];
}
