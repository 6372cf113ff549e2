/**
 * Traffic from the server logs to the ledger, end to end on its own embedded runtime (its dev clock
 * is moved): web and FTP bytes of a day in the local server's logs, the scheduler's daily runs
 * (usage-daily starts the usage run, collected per server through the usage-collect queue; its
 * completion starts billing), and the usage line at the window close. A re-run of the usage day
 * bills nothing twice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';

let own: OwnRuntime;
let rt: Runtime;
let token = '';
const GB = 1024 ** 3;
const call = (method: string, path: string, body?: unknown, as = token) => own.call(method, path, body, as);
const goTo = (day: string) => own.goTo(day);

beforeAll(async () => {
  own = await startOwnRuntime('usage-billing', '2027-03-01T09:00:00Z');
  rt = own.rt;
  token = (await own.reseller('usageres', { users: 5 })).token;
}, 120_000);

afterAll(async () => {
  await own?.stop();
});

describe('usage feed into billing', () => {
  it('traffic over the allowance in the logs becomes a usage line at the window close, once', async () => {
    const t = await call('POST', '/templates', { name: 'metered', limits: { storageMb: 100 } });
    expect(t.status).toBe(201);
    const plan = await call('PUT', `/templates/${t.body.id}/plan`, {
      plan: { name: 'Metered', resources: { traffic: { free: '1', usage: '2' }, disk_quota: { free: '100', usage: '0.5' } }, creditLimit: '100' },
    });
    expect(plan.status).toBe(200);
    const user = await call('POST', '/users', { limits: { storageMb: 100 }, personal: { firstName: 'U', lastName: 'B', email: 'u@example.com' } });
    expect(user.status).toBe(201);
    const username = user.body.username as string;
    expect((await call('POST', `/users/${username}/billing`, { templateId: t.body.id })).status).toBe(201);

    // 1.5 GB by web and 0.5 GB by FTP on March 5th: 2 GB, 1 GB over the free 1 GB.
    const log = join(rt.dataDir, 'servers', 'local-1', 'root', 'var', 'www', username, 'log');
    mkdirSync(log, { recursive: true });
    writeFileSync(join(log, 'access.log'), `198.51.100.7 - - [05/Mar/2027:08:00:00 +0000] "GET /big.iso HTTP/1.1" 200 ${1.5 * GB} "-" "curl/8"\n`);
    writeFileSync(join(log, 'xferlog'), `Fri Mar  5 09:00:00 2027 3 198.51.100.7 ${0.5 * GB} /var/www/${username}/html/x.bin b _ o r ${username} ftp 0 * c\n`);

    await goTo('2027-04-02');
    const stats = await call('GET', `/users/${username}/stats?month=2027-03`);
    expect(stats.body.days.find((d: { day: string }) => d.day === '2027-03-05')).toMatchObject({ webBytes: 1.5 * GB, ftpBytes: 0.5 * GB });

    const ledger = async () => (await call('GET', `/users/${username}/billing/ledger?limit=100`)).body.lines as { date: string; resource: string; type: string; amount: string }[];
    const usage = (await ledger()).filter((l) => l.type === 'usage');
    expect(usage).toEqual([expect.objectContaining({ date: '2027-04-01', resource: 'traffic', amount: '2.00' })]);

    // The usage run of the 6th (it collects the 5th) ran once, through the queue, and finished.
    const run = await call('GET', '/operator/runs/usage-2027-03-06', undefined, own.operatorToken);
    expect(run.body).toMatchObject({ kind: 'usage', status: 'finished', planned: 1, done: 1, failed: 0 });
    // The usage day again (scheduled on the 6th, it reports the 5th): the run is found, nothing is billed twice.
    const again = await call('POST', '/__dev/jobs/usage-daily', { day: '2027-03-06' }, own.operatorToken);
    expect(again.body.runs[0].ok).toBe(true);
    expect(again.body.runs[0].result).toMatchObject({ runId: 'usage-2027-03-06', created: false });
    expect((await ledger()).filter((l) => l.type === 'usage')).toEqual(usage);
  }, 300_000); // a month of days, each a usage run and a billing run through the local queues
});
