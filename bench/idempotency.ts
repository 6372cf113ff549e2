/**
 * The added cost of an Idempotency-Key (issue 11 item 3), called by bench/run.ts with the
 * in-process local server (no background jobs, so the round trips counted are the request's own):
 * the same POST without a key, with a new key each time, and repeated with one key (the replay), as
 * DynamoDB round trips per request (by command, from the client middleware of compose.ts) and
 * p50/p99 latency with its ratio to the POST without a key.
 *
 *   npx tsx bench/idempotency.ts      # only this part, on a runtime of its own (BENCH_IDEM_N, default 60)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppDeps } from '../shared/adapters/compose';
import { percentile, round, type BenchResult } from './lib';

interface Ctx {
  url: string;
  deps: AppDeps;
  operatorToken: string;
}

async function post(url: string, path: string, token: string, body: unknown, key?: string) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${text}`);
  return { body: text ? JSON.parse(text) : undefined, replayed: res.headers.get('idempotent-replayed') === 'true' };
}

type Sample = { ms: number[]; trips: number; by: Record<string, number> };

/** One request, timed, with the round trips it sent (the server is in-process and alone on `deps`). */
async function sample(deps: AppDeps, into: Sample, op: () => Promise<unknown>) {
  const before = { count: deps.roundTrips.count, by: { ...deps.roundTrips.byCommand } };
  const t = performance.now();
  await op();
  into.ms.push(performance.now() - t);
  into.trips += deps.roundTrips.count - before.count;
  for (const [c, k] of Object.entries(deps.roundTrips.byCommand)) if (k > (before.by[c] ?? 0)) into.by[c] = (into.by[c] ?? 0) + k - (before.by[c] ?? 0);
}

function summary(s: Sample) {
  const ms = [...s.ms].sort((a, b) => a - b);
  const n = ms.length;
  return {
    n,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    trips: s.trips / n,
    by: Object.entries(s.by).map(([c, k]) => `${round(k / n, 2)} ${c}`).join(' + '),
  };
}

export async function runIdempotencyBench(ctx: Ctx): Promise<BenchResult[]> {
  const { url, deps, operatorToken } = ctx;
  const N = Number(process.env.BENCH_IDEM_N ?? 60);
  const username = `idem${Date.now().toString(36)}`;
  const password = `pw-${randomUUID()}`;
  await post(url, '/operator/resellers', operatorToken, { username, password, email: `${username}@example.com`, limits: { users: -1 } });
  const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const token = ((await login.json()) as { token: string }).token;

  // A billed user to pay into.
  const tpl = (await post(url, '/templates', token, { name: 'idem-bench', limits: { storageMb: 100 } })).body.id as string;
  await fetch(`${url}/templates/${tpl}/plan`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ plan: { name: 'Bench', resources: { mailbox_quota: { free: '10', recurrent: '2' } }, creditLimit: '100000' } }),
  });
  const user = (await post(url, '/users', token, { limits: { storageMb: 10 }, personal: { firstName: 'I', lastName: 'B', email: 'ib@example.com' } })).body.username as string;
  await post(url, `/users/${user}/billing`, token, { templateId: tpl });

  const cases: { name: string; path: string; body: (i: number) => unknown }[] = [
    { name: 'POST /templates', path: '/templates', body: (i) => ({ name: `t${i}-${randomUUID().slice(0, 6)}`, limits: { storageMb: 1 } }) },
    { name: 'POST /users/{username}/billing/payments', path: `/users/${user}/billing/payments`, body: () => ({ amount: '1.00' }) },
    { name: 'POST /users', path: '/users', body: (i) => ({ limits: { storageMb: 1 }, personal: { firstName: 'I', lastName: `B${i}`, email: 'ib@example.com' } }) },
  ];
  const out: BenchResult[] = [];
  for (const c of cases) {
    const n = c.path === '/users' ? Math.min(N, 30) : N;
    const replayKey = randomUUID();
    const replayBody = c.body(1_000_000);
    await post(url, c.path, token, replayBody, replayKey);
    await post(url, c.path, token, c.body(-1)); // warm-up
    // Interleaved (no key, new key, replay, no key, ...) so that the machine's load drifts alike for all three.
    const plainS: Sample = { ms: [], trips: 0, by: {} };
    const keyedS: Sample = { ms: [], trips: 0, by: {} };
    const replayS: Sample = { ms: [], trips: 0, by: {} };
    for (let i = 0; i < n; i++) {
      await sample(deps, plainS, () => post(url, c.path, token, c.body(2 * i)));
      await sample(deps, keyedS, () => post(url, c.path, token, c.body(2 * i + 1), randomUUID()));
      await sample(deps, replayS, async () => {
        const r = await post(url, c.path, token, replayBody, replayKey);
        if (!r.replayed) throw new Error(`${c.name}: a repeat was not replayed`);
      });
    }
    const plain = summary(plainS);
    const row = (variant: string, s: ReturnType<typeof summary>) => ({
      name: `idempotency ${c.name} ${variant}`,
      figures: {
        n: s.n,
        p50_ms: round(s.p50),
        p99_ms: round(s.p99),
        p50_vs_no_key: round(s.p50 / plain.p50, 2),
        dynamodb_round_trips_per_op: round(s.trips, 2),
        added_round_trips: round(s.trips - plain.trips, 2),
        by_command: s.by,
      },
    });
    out.push(row('without key', plain), row('with a new key', summary(keyedS)), row('repeated key (replay)', summary(replayS)));
  }
  return out;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const { startRuntime } = await import('../infra/local/runtime');
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-bench-idem-'));
  const rt = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword: 'bench-operator-password', backgroundJobs: false });
  try {
    const login = await fetch(`${rt.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'bench-operator-password' }) });
    const operatorToken = ((await login.json()) as { token: string }).token;
    for (const r of await runIdempotencyBench({ url: rt.url, deps: rt.deps, operatorToken })) {
      console.log(`${r.name.padEnd(72)} ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join('  ')}`);
    }
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
