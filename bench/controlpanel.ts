/**
 * Control-panel benchmark, called by bench/run.ts with the in-process local server:
 * p50/p99 of create user, change user and list users over HTTP, and DynamoDB round trips per
 * create user (read from deps.roundTrips around single requests; the server shares these deps).
 */
import type { AppDeps } from '../shared/adapters/compose';
import { httpCall, percentile, round } from './lib';

interface Ctx {
  url: string;
  deps: AppDeps;
  operatorToken: string;
}

const call = httpCall;

async function timed(n: number, fn: (i: number) => Promise<void>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), n };
}

export async function runControlPanelBench(ctx: Ctx): Promise<{ name: string; figures: Record<string, number | string> }[]> {
  const { url, deps, operatorToken } = ctx;
  const N = Number(process.env.BENCH_CONTROLPANEL_N ?? 100);
  const username = `bench${Date.now().toString(36)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  const created = await call(url, 'POST', '/operator/resellers', operatorToken, {
    username,
    password,
    email: `${username}@example.com`,
    limits: { users: N * 3, storageMb: N * 1000, trafficGb: -1 },
    hardLimits: { users: N * 3, storageMb: N * 2000 },
  });
  if (created.status !== 201) throw new Error(`bench reseller: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const token = ((await login.json()) as { token: string }).token;
  const tpl = await call(url, 'POST', '/templates', token, { name: 'bench', limits: { storageMb: 100, pop3Boxes: 5, emailAddresses: 10 }, services: { ftp: true, php: true } });

  const body = (i: number, withTemplate: boolean) => ({
    ...(withTemplate ? { template: tpl.body.id } : {}),
    limits: { storageMb: 100 },
    personal: { firstName: 'Bench', lastName: `User${i}`, email: `bench${i}@example.com` },
    domains: [{ name: `${username}-${i}-${withTemplate ? 't' : 'n'}.example.com`, dns: true }],
  });

  // Round trips of one create, with and without a template (the server runs in-process on `deps`).
  const trips = async (withTemplate: boolean, i: number) => {
    const before = deps.roundTrips.count;
    const res = await call(url, 'POST', '/users', token, body(i, withTemplate));
    if (res.status !== 201) throw new Error(`bench create: ${res.status} ${JSON.stringify(res.body)}`);
    return deps.roundTrips.count - before;
  };
  const tripsTemplate = await trips(true, 1_000_000);
  const tripsPlain = await trips(false, 1_000_001);

  const users: string[] = [];
  const create = await timed(N, async (i) => {
    const res = await call(url, 'POST', '/users', token, body(i, i % 2 === 0));
    if (res.status !== 201) throw new Error(`bench create: ${res.status} ${JSON.stringify(res.body)}`);
    users.push(res.body.username);
  });
  const changeTrips = { before: deps.roundTrips.count };
  const change = await timed(N, async (i) => {
    const res = await call(url, 'PATCH', `/users/${users[i]}`, token, { limits: { storageMb: 100 + (i % 7) }, personal: { city: `City ${i}` } });
    if (res.status !== 200) throw new Error(`bench change: ${res.status} ${JSON.stringify(res.body)}`);
  });
  const changeTripsPer = (deps.roundTrips.count - changeTrips.before) / N;
  const list = await timed(N, async (i) => {
    const res = await call(url, 'GET', `/users?limit=25${i % 3 === 0 ? '&status=enabled' : ''}`, token);
    if (res.status !== 200) throw new Error(`bench list: ${res.status}`);
  });

  return [
    {
      name: 'controlpanel: create user',
      figures: {
        p50_ms: create.p50,
        p99_ms: create.p99,
        requests: create.n,
        dynamodb_round_trips_with_template: tripsTemplate,
        dynamodb_round_trips_without_template: tripsPlain,
        breakdown: '1 BatchGetItem (profile, template, assigned servers) + 1 read of candidate servers + 1 TransactWriteItems; 1 UpdateItem per 10 usernames',
      },
    },
    { name: 'controlpanel: change user', figures: { p50_ms: change.p50, p99_ms: change.p99, requests: change.n, dynamodb_round_trips_per_change: round(changeTripsPer) } },
    { name: 'controlpanel: list users (25 per page)', figures: { p50_ms: list.p50, p99_ms: list.p99, requests: list.n } },
  ];
}
