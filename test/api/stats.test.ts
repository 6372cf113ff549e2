/**
 * Stats through the local server: synthetic web and FTP logs under the local server's root, the
 * usage job run for an explicit day through the dev route (the shared dev clock is not moved),
 * then User Stats, Traffic (deleted users included) and one user's daily detail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, newReseller, newUser, operator, type TestReseller } from '../support/api';

// A day far from the shared clock's month, so other tests' views of "this month" never change.
const DAY = '2025-06-15';
let owner: TestReseller;
let busy: string;
let idle: string;

function writeLogs(username: string) {
  const log = join(inject('dataDir'), 'servers', 'local-1', 'root', 'var', 'www', username, 'log');
  mkdirSync(log, { recursive: true });
  writeFileSync(
    join(log, 'access.log'),
    [
      `192.0.2.1 - - [15/Jun/2025:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 1000 "-" "curl/8"`,
      `192.0.2.1 - - [15/Jun/2025:23:59:59 +0000] "GET /a\\"b.bin HTTP/1.1" 200 2500 "-" "curl/8"`,
      `192.0.2.1 - - [15/Jun/2025:12:00:00 +0000] "GET /missing HTTP/1.1" 404 - "-" "curl/8"`,
      `192.0.2.1 - - [16/Jun/2025:00:00:01 +0000] "GET /next-day HTTP/1.1" 200 99999 "-" "curl/8"`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(log, 'xferlog'),
    [
      `Sun Jun 15 12:00:00 2025 1 192.0.2.1 4096 /var/www/${username}/html/a.txt b _ i r ${username} ftp 0 * c`,
      `Sun Jun 15 13:00:00 2025 1 192.0.2.1 904 /var/www/${username}/html/b.txt b _ o r ${username} ftp 0 * c`,
      `Mon Jun 16 13:00:00 2025 1 192.0.2.1 777777 /var/www/${username}/html/c.txt b _ o r ${username} ftp 0 * c`,
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  owner = await newReseller();
  busy = (await newUser(owner, { limits: { storageMb: 10, trafficGb: 0 } })).username;
  idle = (await newUser(owner, { limits: { storageMb: 10, trafficGb: 5 } })).username;
  writeLogs(busy);
  // The job scheduled on DAY + 1 reports DAY.
  const run = await api('POST', '/__dev/jobs/usage-daily', { token: await operator(), body: { day: '2025-06-16' } });
  expect(run.status).toBe(200);
  expect(run.body.runs).toHaveLength(1);
  expect(run.body.runs[0].ok).toBe(true);
  expect(run.body.runs[0].result.usageDay).toBe(DAY);
}, 60_000);

describe('stats', () => {
  it("GET /users/{username}/stats: the user's daily detail from the logs", async () => {
    const res = await api('GET', `/users/${busy}/stats?month=2025-06`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    const day = res.body.days.find((d: { day: string }) => d.day === DAY);
    expect(day).toMatchObject({ webBytes: 3500, ftpBytes: 5000, totalBytes: 8500 });
    expect(day.diskKb).toBeGreaterThan(0);
    expect(res.body.days.find((d: { day: string }) => d.day === '2025-06-14')).toMatchObject({ totalBytes: 0, diskKb: null });
    expect(res.body.summary).toMatchObject({ webBytes: 3500, ftpBytes: 5000, totalBytes: 8500, trafficExceeded: true });
    expect(res.body.deleted).toBe(false);
  });

  it('GET /stats/users: storage and traffic against the limits; exceeders only on request', async () => {
    const all = await api('GET', '/stats/users?month=2025-06&limit=100', { token: owner.token });
    expect(all.status).toBe(200);
    const names = all.body.users.map((u: { username: string }) => u.username);
    expect(names).toEqual(expect.arrayContaining([busy, idle]));
    const row = all.body.users.find((u: { username: string }) => u.username === busy);
    expect(row.traffic).toMatchObject({ webBytes: 3500, ftpBytes: 5000, totalBytes: 8500, limitGb: 0, exceeded: true });
    expect(row.storage.limitMb).toBe(10);
    expect(row.exceeded).toBe(true);

    const exceeders = await api('GET', '/stats/users?month=2025-06&exceeders=true&limit=1', { token: owner.token });
    expect(exceeders.status).toBe(200);
    expect(exceeders.body.users.map((u: { username: string }) => u.username)).toEqual([busy]);

    const search = await api('GET', `/stats/users?month=2025-06&search=${idle}`, { token: owner.token });
    expect(search.body.users.map((u: { username: string }) => u.username)).toEqual([idle]);
    expect(search.body.users[0].exceeded).toBe(false);

    const bad = await api('GET', '/stats/users?exceeders=maybe', { token: owner.token });
    expect(bad.status).toBe(400);
  });

  it("GET /stats/traffic: every day of the month, the summary and two preceding months; deleted users' traffic stays", async () => {
    const del = await api('DELETE', `/users/${busy}`, { token: owner.token });
    expect([200, 204]).toContain(del.status);

    const res = await api('GET', '/stats/traffic?month=2025-06', { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    expect(res.body.days.find((d: { day: string }) => d.day === DAY)).toMatchObject({ webBytes: 3500, ftpBytes: 5000, totalBytes: 8500 });
    expect(res.body.summary).toMatchObject({ month: '2025-06', webBytes: 3500, ftpBytes: 5000, totalBytes: 8500 });
    expect(res.body.previousMonths.map((m: { month: string }) => m.month)).toEqual(['2025-05', '2025-04']);

    const later = await api('GET', '/stats/traffic?month=2025-08', { token: owner.token });
    expect(later.body.previousMonths[1]).toMatchObject({ month: '2025-06', totalBytes: 8500 });

    // The deleted user's detail is still there for its reseller, and only for it.
    const detail = await api('GET', `/users/${busy}/stats?month=2025-06`, { token: owner.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ deleted: true, limits: null, summary: { totalBytes: 8500 } });
    const intruder = await newReseller();
    expect((await api('GET', `/users/${busy}/stats?month=2025-06`, { token: intruder.token })).status).toBe(404);
    expect((await api('GET', '/stats/traffic?month=2025-06', { token: intruder.token })).body.summary.totalBytes).toBe(0);
  });

  it('a re-run of the day stores the same figures', async () => {
    const run = await api('POST', '/__dev/jobs/usage-daily', { token: await operator(), body: { day: '2025-06-16' } });
    expect(run.body.runs[0].ok).toBe(true);
    const res = await api('GET', '/stats/traffic?month=2025-06', { token: owner.token });
    expect(res.body.summary.totalBytes).toBe(8500);
  });

  it('GET /account carries the measured usage apart from the allocation', async () => {
    const res = await api('GET', '/account', { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.usage).toEqual({ trafficGbThisMonth: '0', storageMbMeasured: '0' });
    expect(res.body.resources.trafficGb).toBeDefined();
  });

  it('month must be YYYY-MM', async () => {
    expect((await api('GET', '/stats/traffic?month=2025-13', { token: owner.token })).status).toBe(400);
  });
});
