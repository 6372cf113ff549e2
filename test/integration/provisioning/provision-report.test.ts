import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apply, cleanTmpRoots, runScript, tmpRoot } from './helpers';

afterAll(cleanTmpRoots);

const access = (day: string, bytes: string, request = 'GET /index.html HTTP/1.1') =>
  `203.0.113.5 - - [${day}:13:55:36 +0000] "${request}" 200 ${bytes} "http://ref.example/" "Mozilla/5.0 (X11; Linux)"`;
const xfer = (date: string, bytes: number, file = '/html/file.zip') => `${date} 2 198.51.100.7 ${bytes} ${file} b _ i r web1 ftp 0 * c`;

describe('provision.sh report', () => {
  it('sums the day\'s web and FTP bytes per user from the logs and reports disk use', () => {
    const root = tmpRoot();
    for (const u of ['web1', 'web2']) {
      expect(apply(root, { username: u, resellerId: 'r', sequence: 1 }).json.ok).toBe(true);
    }
    const log1 = path.join(root, 'var/www/web1/log');
    writeFileSync(path.join(log1, 'access.log'), [
      access('03/Oct/2024', '1000'),
      access('03/Oct/2024', '-', 'HEAD / HTTP/1.1'), // no body: "-"
      access('03/Oct/2024', '234', 'GET /a "quoted" b HTTP/1.1'.replace(/"/g, '\\"')),
      access('02/Oct/2024', '99999'),
      'garbage line',
      '',
    ].join('\n'));
    writeFileSync(path.join(log1, 'access.log.1'), access('03/Oct/2024', '10') + '\n');
    writeFileSync(path.join(log1, 'access.log.2.gz'), 'ignored');
    writeFileSync(path.join(log1, 'xferlog'), [
      xfer('Thu Oct  3 10:00:00 2024', 5000),
      xfer('Thu Oct  3 23:59:59 2024', 25, '/html/a file with spaces.txt'),
      xfer('Wed Oct  2 10:00:00 2024', 777),
      xfer('Thu Oct  3 10:00:00 2023', 888),
    ].join('\n') + '\n');
    writeFileSync(path.join(root, 'var/www/web2/html/big.bin'), Buffer.alloc(200 * 1024, 1));
    mkdirSync(path.join(root, 'var/www/not-a-user'));

    const r = runScript(['report', '--root', root, '--date', '2024-10-03']);
    expect(r.code).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.date).toBe('2024-10-03');
    const users = r.json.users as Array<Record<string, number | string>>;
    expect(users.map((u) => u.username)).toEqual(['web1', 'web2']);
    expect(users[0]).toMatchObject({ username: 'web1', webBytes: 1000 + 234 + 10, ftpBytes: 5025 });
    expect(users[1]).toMatchObject({ username: 'web2', webBytes: 0, ftpBytes: 0 });
    expect(users[1]!.diskKb as number).toBeGreaterThanOrEqual(200);
  });

  it('defaults to today (UTC), refuses a bad date, and reports no users on an empty root', () => {
    const root = tmpRoot();
    const today = runScript(['report', '--root', root]);
    expect(today.json).toEqual({ ok: true, date: new Date().toISOString().slice(0, 10), users: [] });
    const bad = runScript(['report', '--root', root, '--date', '2024-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.json).toEqual({ ok: false, error: '--date must be YYYY-MM-DD' });
  });
});
