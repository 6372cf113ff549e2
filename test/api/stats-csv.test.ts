import { describe, expect, it } from 'vitest';
import { api, newReseller, newUser, type TestReseller } from '../support/api';

/**
 * The stats routes answer `Accept: text/csv` with the same table as CSV (the console's downloads),
 * through the one HTTP helper, so the contract test checks them against their text/csv alternative.
 */
async function csv(path: string, owner: TestReseller) {
  const res = await api('GET', path, { token: owner.token, headers: { accept: 'text/csv' } });
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', text };
}

describe('stats as CSV', () => {
  it('User Stats: a header and one line per user, offered as a download; JSON stays the default', async () => {
    const owner = await newReseller();
    const a = await newUser(owner, { personal: { firstName: 'Ann', lastName: 'Lee, Jr.', email: 'ann@example.com' } });
    const b = await newUser(owner, { personal: { firstName: '=HYPERLINK("x")', lastName: 'Doe', email: 'b@example.com' } });
    const out = await csv('/stats/users?limit=10', owner);
    expect(out.status).toBe(200);
    expect(out.type).toMatch(/^text\/csv/);
    expect(out.disposition).toMatch(/^attachment; filename="user-stats-\d{4}-\d{2}\.csv"$/);
    const lines = out.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('username,name,status,month,storageUsedMb,storageLimitMb,storageExceeded,webBytes,ftpBytes,trafficGb,trafficLimitGb,trafficExceeded');
    expect(lines).toHaveLength(3);
    const lineA = lines.find((l) => l.startsWith(`${a.username},`))!;
    expect(lineA).toContain('"Ann Lee, Jr."');
    expect(lineA).toContain(',enabled,');
    // A cell that a spreadsheet would run as a formula is defused, and quoted as RFC 4180 says.
    const lineB = lines.find((l) => l.startsWith(`${b.username},`))!;
    expect(lineB).toContain(`"'=HYPERLINK(""x"") Doe"`);
    const json = await api('GET', '/stats/users', { token: owner.token });
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    expect(json.body.users).toHaveLength(2);
  });

  it('Traffic: the days of the month, then the month and the two preceding months', async () => {
    const owner = await newReseller();
    const out = await csv('/stats/traffic?month=2026-02', owner);
    expect(out.status).toBe(200);
    const lines = out.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('period,webBytes,ftpBytes,totalBytes,totalGb');
    expect(lines.slice(1, 29).map((l) => l.split(',')[0])).toEqual(Array.from({ length: 28 }, (_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`));
    expect(lines.slice(29).map((l) => l.split(',')[0])).toEqual(['2026-02', '2026-01', '2025-12']);
    expect(out.disposition).toContain('traffic-2026-02.csv');
  });

  it("one user's days as CSV; another reseller's user is a 404 as JSON, never a CSV", async () => {
    const owner = await newReseller();
    const other = await newReseller();
    const u = await newUser(owner);
    const out = await csv(`/users/${u.username}/stats?month=2026-04`, owner);
    expect(out.status).toBe(200);
    const lines = out.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('day,webBytes,ftpBytes,totalBytes,diskKb');
    expect(lines).toHaveLength(31);
    expect(lines[1]).toBe('2026-04-01,0,0,0,');
    const foreign = await csv(`/users/${u.username}/stats`, other);
    expect(foreign.status).toBe(404);
    expect(foreign.type).toMatch(/application\/json/);
    expect(JSON.parse(foreign.text).error.code).toBe('NOT_FOUND');
  });
});
