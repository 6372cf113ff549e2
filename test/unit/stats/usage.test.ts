import { describe, expect, it } from 'vitest';
import {
  addMonths,
  bytesToGb,
  daysBetween,
  daysOfMonth,
  isDay,
  kbToMb,
  latestDisk,
  previousDay,
  storageExceeded,
  trafficExceeded,
  usageEvents,
} from '../../../shared/domain/stats/usage';
import { Dec } from '../../../shared/domain/billing/money';
import { usageDayFor } from '../../../shared/app/stats/usage-daily';

describe('usage units', () => {
  it('bytes to GB is exact (1 GB = 2^30 bytes)', () => {
    expect(bytesToGb(0)).toBe('0');
    expect(bytesToGb(1024 ** 3)).toBe('1');
    expect(bytesToGb(1024 ** 3 * 5 / 2)).toBe('2.5');
    expect(bytesToGb(1024)).toBe('0.00000095367431640625'); // 1 KB: 20 decimals
    expect(bytesToGb(1)).toBe('0.000000000931322574615478515625'); // 1 byte: 30 decimals, exact
    expect(new Dec(bytesToGb(123_456_789)).times(new Dec(2).pow(30)).toFixed()).toBe('123456789');
    // Beyond 2^53: strings keep it exact.
    expect(bytesToGb('9007199254740993')).toBe(new Dec('9007199254740993').div(new Dec(2).pow(30)).toFixed());
  });

  it('KiB to MB is exact', () => {
    expect(kbToMb(0)).toBe('0');
    expect(kbToMb(1024)).toBe('1');
    expect(kbToMb(1536)).toBe('1.5');
    expect(kbToMb(1)).toBe('0.0009765625');
  });

  it('refuses negative or fractional figures', () => {
    expect(() => bytesToGb(-1)).toThrow();
    expect(() => kbToMb(1.5)).toThrow();
  });
});

describe('usageEvents: which resources a day feeds', () => {
  const usage = { diskKb: 2048, webBytes: 1024 ** 3, ftpBytes: 1024 ** 3 / 2 };

  it('traffic (web + FTP, GB) as a use and disk (MB) as a measure, dated the usage day', () => {
    expect(usageEvents('2026-03-05', usage, { traffic: { kind: 'flow' }, disk_quota: { kind: 'level' }, mailbox: { kind: 'count' } })).toEqual([
      { date: '2026-03-05', type: 'use', use: { traffic: '1.5' } },
      { date: '2026-03-05', type: 'measure', measure: { disk_quota: '2' } },
    ]);
  });

  it('only resources the plan has', () => {
    expect(usageEvents('2026-03-05', usage, { traffic: { kind: 'flow' } })).toEqual([{ date: '2026-03-05', type: 'use', use: { traffic: '1.5' } }]);
    expect(usageEvents('2026-03-05', usage, { disk_quota: { kind: 'level' } })).toEqual([
      { date: '2026-03-05', type: 'measure', measure: { disk_quota: '2' } },
    ]);
    expect(usageEvents('2026-03-05', usage, { mailbox: { kind: 'count' } })).toEqual([]);
  });

  it('no use event for a day without traffic; a disk of 0 is still a measurement', () => {
    expect(usageEvents('2026-03-05', { diskKb: 0, webBytes: 0, ftpBytes: 0 }, { traffic: { kind: 'flow' }, disk_quota: { kind: 'level' } })).toEqual([
      { date: '2026-03-05', type: 'measure', measure: { disk_quota: '0' } },
    ]);
  });
});

describe('days and months', () => {
  it('the usage job reports the day before its scheduled day', () => {
    expect(usageDayFor('2026-03-01')).toBe('2026-02-28');
    expect(usageDayFor('2024-03-01')).toBe('2024-02-29');
    expect(previousDay('2026-01-01')).toBe('2025-12-31');
  });

  it('month arithmetic and days of a month', () => {
    expect(addMonths('2026-01', -2)).toBe('2025-11');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(daysOfMonth('2024-02')).toHaveLength(29);
    expect(daysOfMonth('2026-02').at(-1)).toBe('2026-02-28');
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-03-02', '2026-03-02')).toEqual([]);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-02-28')).toBe(true);
  });
});

describe('exceeders', () => {
  it('a maximum may be exceeded: strictly above, -1 unlimited', () => {
    expect(storageExceeded(10 * 1024, 10)).toBe(false);
    expect(storageExceeded(10 * 1024 + 1, 10)).toBe(true);
    expect(storageExceeded(10 ** 9, -1)).toBe(false);
    expect(trafficExceeded(1024 ** 3, 1)).toBe(false);
    expect(trafficExceeded(1024 ** 3 + 1, 1)).toBe(true);
    expect(trafficExceeded(1, 0)).toBe(true);
  });

  it('latest disk is the last day with a figure', () => {
    expect(latestDisk({})).toBeNull();
    expect(latestDisk({ '2026-03-02': { diskKb: 5, webBytes: 0, ftpBytes: 0 }, '2026-03-01': { diskKb: 9, webBytes: 0, ftpBytes: 0 } })).toEqual({
      day: '2026-03-02',
      diskKb: 5,
    });
  });
});
