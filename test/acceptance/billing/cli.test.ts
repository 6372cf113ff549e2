/** The real `billing:simulate` CLI: stdout JSON and exit 0, or a field-named error on stderr and a non-zero exit. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'billing-cli-'));

function cli(name: string, content: string) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'shared/app/billing/simulate-cli.ts', file], { encoding: 'utf8', cwd: process.cwd() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const example = {
  periodMonths: 2,
  start: '2026-03-01',
  until: '2026-05-02',
  resources: {
    traffic: { kind: 'flow', free: '10', setup: '0', recurrent: '2', usage: '5' },
    mysql_quota: { kind: 'level', free: '90', setup: '0', recurrent: '0.1', usage: '20' },
    mailbox: { kind: 'count', free: '2', setup: '1', recurrent: '0.5' },
  },
  hold: { traffic: '10', mysql_quota: '90', mailbox: '2' },
  events: [
    { date: '2026-03-15', hold: { traffic: '12' } },
    { date: '2026-03-16', use: { traffic: '0.75' } },
    { date: '2026-03-20', measure: { mysql_quota: '95' } },
    { date: '2026-04-10', prices: { traffic: { free: '13', usage: '6' } } },
  ],
};

describe('billing:simulate CLI', { timeout: 60_000 }, () => {
  it('prints the ledger of the billing-rules.md example', () => {
    const r = cli('example.json', JSON.stringify(example));
    expect(r.stderr).not.toMatch(/billing:simulate|Error/);
    expect(r.code).toBe(0);
    // 6.16: the seed's 2 GB bought on Mar 15; 100.00: 5 MB over the MySQL quota for the month at $20
    expect(JSON.parse(r.stdout)).toEqual({
      lines: [
        { date: '2026-03-15', resource: 'traffic', type: 'recurrent', quantity: '2', amount: '6.16' },
        { date: '2026-04-01', resource: 'mysql_quota', type: 'usage', quantity: '5', amount: '100.00' },
      ],
      total: '106.16',
    });
  });

  it('the seed: 3-month period, free 2, recurrent 3, limit 4, 5 GB used in month 1', () => {
    const r = cli(
      'seed.json',
      JSON.stringify({
        periodMonths: 3,
        start: '2026-01-01',
        until: '2026-02-01',
        resources: { traffic: { kind: 'flow', free: '2', setup: '0', recurrent: '3', usage: '5' } },
        hold: { traffic: '4' },
        events: [{ date: '2026-01-31', use: { traffic: '5' } }],
      }),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).lines.map((l: { amount: string }) => l.amount)).toEqual(['18.00', '5.00']);
  });

  it.each([
    ['bad-json.json', '{ "start": ', /scenario.*not valid JSON/],
    ['unknown-resource.json', JSON.stringify({ ...example, events: [{ date: '2026-03-16', use: { trafic: '1' } }] }), /events\[0\]\.use\.trafic.*unknown resource/],
    ['bad-decimal.json', JSON.stringify({ ...example, resources: { ...example.resources, traffic: { ...example.resources.traffic, usage: '1,5.0' } } }), /resources\.traffic\.usage.*more than one/],
    ['event-key.json', JSON.stringify({ ...example, events: [{ date: '2026-03-16', buy: { traffic: '1' } }] }), /events\[0\]\.buy.*unknown key/],
    ['missing-start.json', JSON.stringify({ ...example, start: undefined }), /start.*required/],
    ['missing-date.json', JSON.stringify({ ...example, events: [{ use: { traffic: '1' } }] }), /events\[0\]\.date.*required/],
    ['wrong-kind.json', JSON.stringify({ ...example, events: [{ date: '2026-03-16', use: { mailbox: '1' } }] }), /events\[0\]\.use\.mailbox.*count/],
  ])('rejects %s with the field named on stderr and a non-zero exit', (name, content, message) => {
    const r = cli(name, content);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits non-zero for a missing file', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'shared/app/billing/simulate-cli.ts', join(dir, 'nope.json')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot read/);
  });
});
