/**
 * Usage figures of hosted users (what the servers report each day) and how they become billing
 * events and the Stats pages. Pure: days are passed in as `YYYY-MM-DD`, nothing reads the clock.
 *
 * Units: the servers report disk use in KiB (`du -sk`) and traffic in bytes. Billing counts traffic
 * in GB (1 GB = 2^30 bytes) and disk quotas in MB (1 MB = 1024 KiB): see billing-rules.md.
 */
import { Dec } from '../billing/money';
import type { AccountEvent } from '../billing/engine';
import type { ResourceKind } from '../billing/plan';

/** One user's figures for one day. */
export interface DayUsage {
  /** Disk use at report time, KiB. */
  diskKb: number;
  /** Bytes served by the web server on the day. */
  webBytes: number;
  /** Bytes transferred by FTP on the day. */
  ftpBytes: number;
}

export const EMPTY_USAGE: Readonly<DayUsage> = Object.freeze({ diskKb: 0, webBytes: 0, ftpBytes: 0 });

/** The plan resource that traffic feeds (flow, GB) and the one disk use feeds (level, MB). */
export const TRAFFIC_RESOURCE = 'traffic';
export const DISK_RESOURCE = 'disk_quota';

const GB = new Dec(1024).pow(3);
const MB_IN_KB = new Dec(1024);

function wholeNonNegative(field: string, n: number | string): Dec {
  const d = new Dec(n);
  if (!d.isFinite() || d.isNeg() || !d.isInteger()) throw new Error(`${field} must be a whole non-negative number: ${n}`);
  return d;
}

/**
 * Bytes as GB, exactly: bytes / 2^30 always terminates (at most 30 decimals), so nothing is lost.
 * The engine keeps quantities with 100 significant digits; no rounding happens before a ledger line.
 */
export function bytesToGb(bytes: number | string): string {
  return wholeNonNegative('bytes', bytes).div(GB).toFixed();
}

/** KiB as MB, exactly (KiB / 1024: at most 10 decimals). */
export function kbToMb(kb: number | string): string {
  return wholeNonNegative('diskKb', kb).div(MB_IN_KB).toFixed();
}

/**
 * The billing events of one day's usage for an account whose plan has the resources `resources`
 * (id → kind): a `use` of web + FTP traffic in GB on `traffic` when the plan has it as a flow
 * resource (left out when nothing was transferred), and a `measure` of the disk use in MB on
 * `disk_quota` when the plan has it as a level resource. Resources the plan lacks are skipped.
 */
export function usageEvents(date: string, usage: DayUsage, resources: Record<string, { kind: ResourceKind }>): AccountEvent[] {
  const events: AccountEvent[] = [];
  const bytes = new Dec(usage.webBytes).plus(usage.ftpBytes);
  if (resources[TRAFFIC_RESOURCE]?.kind === 'flow' && bytes.gt(0)) {
    events.push({ date, type: 'use', use: { [TRAFFIC_RESOURCE]: bytesToGb(bytes.toFixed()) } });
  }
  if (resources[DISK_RESOURCE]?.kind === 'level') {
    events.push({ date, type: 'measure', measure: { [DISK_RESOURCE]: kbToMb(usage.diskKb) } });
  }
  return events;
}

// ---- days and months ---------------------------------------------------------------------------

export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

const toMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function isDay(s: string): boolean {
  return DAY_PATTERN.test(s) && fromMs(toMs(s)) === s;
}

export function addDays(day: string, n: number): string {
  return fromMs(toMs(day) + n * 86_400_000);
}

export const previousDay = (day: string) => addDays(day, -1);
export const monthOf = (day: string) => day.slice(0, 7);

/** `month` moved by `n` months (negative: back). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** Every day of a month, in order. */
export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/** Days after `from` up to and including `to`, in order ([] when `to` ≤ `from`). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

// ---- stats -------------------------------------------------------------------------------------

export interface TrafficFigures {
  webBytes: number;
  ftpBytes: number;
  totalBytes: number;
}

export function traffic(u: Pick<DayUsage, 'webBytes' | 'ftpBytes'>): TrafficFigures {
  return { webBytes: u.webBytes, ftpBytes: u.ftpBytes, totalBytes: u.webBytes + u.ftpBytes };
}

export function sumTraffic(days: Iterable<Pick<DayUsage, 'webBytes' | 'ftpBytes'>>): TrafficFigures {
  let web = 0;
  let ftp = 0;
  for (const d of days) {
    web += d.webBytes;
    ftp += d.ftpBytes;
  }
  return traffic({ webBytes: web, ftpBytes: ftp });
}

/** The disk use of the latest day that has a figure, or null. */
export function latestDisk(byDay: Record<string, DayUsage>): { day: string; diskKb: number } | null {
  const days = Object.keys(byDay).sort();
  const last = days[days.length - 1];
  return last === undefined ? null : { day: last, diskKb: byDay[last]!.diskKb };
}

/**
 * A control-panel limit against use: -1 is unlimited; a maximum may be exceeded (the seed
 * highlights it), so `exceeded` is use strictly above the limit.
 */
export function isExceeded(used: Dec | number, limit: number): boolean {
  if (limit < 0) return false;
  return new Dec(used).gt(limit);
}

/** Storage: KiB against a limit in MB. */
export function storageExceeded(diskKb: number, limitMb: number): boolean {
  return isExceeded(new Dec(diskKb).div(MB_IN_KB), limitMb);
}

/** Traffic: bytes against a limit in GB. */
export function trafficExceeded(bytes: number, limitGb: number): boolean {
  return isExceeded(new Dec(bytes).div(GB), limitGb);
}

/** Bytes shown as GB with 6 decimals (display only; billing uses bytesToGb). */
export function gbForDisplay(bytes: number): string {
  return new Dec(bytes).div(GB).toDecimalPlaces(6).toFixed();
}

/** KiB shown as MB with 3 decimals (display only). */
export function mbForDisplay(kb: number): string {
  return new Dec(kb).div(MB_IN_KB).toDecimalPlaces(3).toFixed();
}
