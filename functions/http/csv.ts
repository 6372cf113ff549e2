import { reply } from './route';

/** Does the caller ask for CSV (`Accept: text/csv`) rather than JSON? */
export const wantsCsv = (headers: Record<string, string | undefined> | undefined): boolean =>
  /\btext\/csv\b/i.test(headers?.accept ?? headers?.Accept ?? '');

/** One field as RFC 4180 wants it; a leading =, +, - or @ is prefixed so spreadsheets never run it as a formula. */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV: a header row of the column names, then one line per row (CRLF, as RFC 4180). */
export function toCsv<T>(columns: [name: string, value: (row: T) => unknown][], rows: readonly T[]): string {
  const lines = [columns.map(([n]) => cell(n)).join(',')];
  for (const r of rows) lines.push(columns.map(([, f]) => cell(f(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A 200 with a CSV body, offered as a download named `filename`. */
export const csvReply = (body: string, filename: string) =>
  reply(200, body, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"` });
