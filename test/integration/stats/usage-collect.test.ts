/**
 * The usage run fanned out per server, on an embedded runtime of its own (DynamoDB Local, the
 * durable local queue delivering EVERY message twice, the local agent running provision.sh report
 * against each server's root): several servers collected through the usage-collect queue, one
 * server that cannot be collected (its root cannot be created) counted failed in the run, written to
 * the operator's message log and counted in the metric while the others are billed, and billing of
 * the day started by the run's completion alone (the billing schedule is never run for that day).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmfMetrics } from '../../../shared/adapters/metrics/emf-metrics';
import { OPERATOR_LOG } from '../../../shared/ports/message-log';
import { startOwnRuntime, type OwnRuntime } from '../../support/own-runtime';

const GB = 1024 ** 3;
let own: OwnRuntime;
let token = '';
let resellerId = '';
const call = (method: string, path: string, body?: unknown, as = token) => own.call(method, path, body, as);
const op = (method: string, path: string, body?: unknown) => own.call(method, path, body, own.operatorToken);

async function until<T>(what: string, probe: () => Promise<T | false | undefined>, ms = 240_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  own = await startOwnRuntime('usage-collect', '2027-05-30T09:00:00Z', {
    duplicateDelivery: true,
    env: { LOCAL_QUEUE_VISIBILITY_SECONDS: '1' },
  });
  const r = await own.reseller('collres', { users: 5 });
  token = r.token;
  resellerId = r.id;
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

describe('usage collection through the work queue', () => {
  it('collects every server once per run, bills each day once under duplicate delivery, and a failing server is counted failed while the others are billed', async () => {
    // Two servers of one user each, and one that cannot be collected: its root is a file.
    for (const id of ['uc-a', 'uc-b', 'uc-bad']) {
      expect((await op('POST', '/operator/servers', { id, name: id, capacity: 1 })).status).toBe(201);
    }
    mkdirSync(join(own.rt.dataDir, 'servers'), { recursive: true });
    writeFileSync(join(own.rt.dataDir, 'servers', 'uc-bad'), 'not a directory');
    expect((await op('PUT', `/operator/resellers/${resellerId}/servers`, { serverIds: ['uc-a', 'uc-b'] })).status).toBe(200);

    const t = await call('POST', '/templates', { name: 'metered', limits: { storageMb: 100 } });
    expect(t.status).toBe(201);
    const plan = await call('PUT', `/templates/${t.body.id}/plan`, {
      plan: { name: 'Metered', resources: { traffic: { free: '1', usage: '2' } }, creditLimit: '100' },
    });
    expect(plan.status).toBe(200);
    const users: string[] = [];
    for (const server of ['uc-a', 'uc-b']) {
      const u = await call('POST', '/users', { limits: { storageMb: 100 }, personal: { firstName: 'U', lastName: server, email: 'u@example.com' } });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      expect(u.body.serverId ?? server).toBe(server);
      expect((await call('POST', `/users/${u.body.username}/billing`, { templateId: t.body.id })).status).toBe(201);
      users.push(u.body.username as string);
    }
    // Traffic on June 29th, in each server's own root: 3 GB for the first user, 2 GB for the second.
    users.forEach((u, i) => {
      const log = join(own.rt.dataDir, 'servers', i === 0 ? 'uc-a' : 'uc-b', 'root', 'var', 'www', u, 'log');
      mkdirSync(log, { recursive: true });
      writeFileSync(join(log, 'access.log'), `198.51.100.7 - - [29/Jun/2027:08:00:00 +0000] "GET /big.iso HTTP/1.1" 200 ${(3 - i) * GB} "-" "curl/8"\n`);
    });

    // Nothing is due before the window closes on June 30th: the days between have nothing to run.
    own.rt.clock.setTo(new Date('2027-06-28T10:00:00Z'));
    own.rt.scheduler.skipTo('2027-06-28');
    await own.goTo('2027-06-29');

    // Only the usage job of June 30th (it collects the 29th); billing's schedule is not run.
    const started = await op('POST', '/__dev/jobs/usage-daily', { day: '2027-06-30' });
    expect(started.body.runs[0]).toMatchObject({ ok: true, result: { runId: 'usage-2027-06-30', usageDay: '2027-06-29' } });
    const usageRun = (await op('GET', '/operator/runs/usage-2027-06-30')).body;
    // local-1 (the default server), uc-a, uc-b and uc-bad: each counted once though delivered twice.
    expect(usageRun).toMatchObject({ kind: 'usage', day: '2027-06-30', status: 'finished', planned: 4, done: 3, failed: 1 });

    // Billing of June 30th was started by the usage run's completion, after it.
    const billingRun = await until('the billing run of June 30th', async () => {
      const r = await op('GET', '/operator/runs/billing-2027-06-30');
      return r.status === 200 && r.body.status === 'finished' && r.body;
    });
    expect(Date.parse(billingRun.startedAt)).toBeGreaterThanOrEqual(Date.parse(usageRun.finishedAt));
    expect(billingRun.done).toBeGreaterThanOrEqual(2);
    expect(own.rt.scheduler.history.some((h) => h.job === 'billing-daily' && h.day === '2027-06-30')).toBe(false);

    // Each user's traffic over the free 1 GB billed once, at the window close.
    const usageLines = async (u: string) =>
      ((await call('GET', `/users/${u}/billing/ledger?limit=100`)).body.lines as { date: string; resource: string; type: string; amount: string }[]).filter((l) => l.type === 'usage');
    expect(await usageLines(users[0]!)).toEqual([expect.objectContaining({ date: '2027-06-30', resource: 'traffic', amount: '4.00' })]);
    expect(await usageLines(users[1]!)).toEqual([expect.objectContaining({ date: '2027-06-30', resource: 'traffic', amount: '2.00' })]);
    // The day is marked fed on the user's usage item: a later move or re-collect does not bill it again.
    const month = await own.rt.deps.usage.userMonth(resellerId, users[0]!, '2027-06');
    expect(month.days['2027-06-29']).toMatchObject({ webBytes: 3 * GB });
    expect(month.fed?.has('2027-06-29')).toBe(true);

    // The failing server: in the operator's message log (GET /operator/messages) and the metric.
    const messages = await op('GET', '/operator/messages?type=error&limit=20');
    expect(messages.status).toBe(200);
    const failures = (messages.body.items as { text: string; subject?: Record<string, string> }[]).filter((m) => m.subject?.server === 'uc-bad');
    // One per run (June 29th's run already found it broken), however often its messages came.
    expect(failures.map((m) => m.subject?.day).sort()).toEqual(['2027-06-28', '2027-06-29']);
    const errors = failures.filter((m) => m.subject?.day === '2027-06-29');
    expect(errors[0]!.text).toContain('usage of 2027-06-29 on server uc-bad could not be collected');
    expect((await own.rt.deps.messages.list(OPERATOR_LOG, { limit: 20 })).items.length).toBeGreaterThanOrEqual(1);
    expect((own.rt.deps.metrics as EmfMetrics).published.filter((m) => m.name === 'UsageServersFailed')).toHaveLength(2);

    // The schedule event of the same day again: the run is found, nothing is collected or billed again.
    const again = await op('POST', '/__dev/jobs/usage-daily', { day: '2027-06-30' });
    expect(again.body.runs[0].result).toMatchObject({ runId: 'usage-2027-06-30', created: false, planned: false });
    expect(await usageLines(users[0]!)).toHaveLength(1);

    // The operator re-collects a past day of a server: its own run, stored again, nothing billed twice.
    const today = await op('POST', '/operator/usage/recollect', { day: '2027-06-29', serverId: 'uc-a' });
    expect(today.status).toBe(400);
    expect(JSON.stringify(today.body)).toContain('day');
    expect((await op('POST', '/operator/usage/recollect', { day: '2027-06-28', serverId: 'nope' })).status).toBe(404);
    const re = await op('POST', '/operator/usage/recollect', { day: '2027-06-28', serverId: 'uc-a' });
    expect(re.status).toBe(202);
    expect(re.body.run).toMatchObject({ kind: 'usage-recollect', day: '2027-06-28', planned: 1 });
    const reRun = await until('the re-collect run', async () => {
      const r = await op('GET', `/operator/runs/${re.body.run.id}`);
      return r.body.status === 'finished' && r.body;
    });
    expect(reRun).toMatchObject({ done: 1, failed: 0 });
    expect((await own.rt.deps.usage.userMonth(resellerId, users[0]!, '2027-06')).fed?.has('2027-06-28')).toBe(true);
    expect(await usageLines(users[0]!)).toHaveLength(1);
  }, 600_000);
});
