/**
 * Parsing of provision.sh's one-line JSON answer, shared by both Provisioner adapters.
 * Pure: takes the script's stdout text and the exit status. The result types are the Provisioner
 * port's (shared/ports/provisioner.ts re-exports them).
 */
export interface ApplySuccess {
  ok: true;
  serverId: string;
  username: string;
  sequence: number;
  /** What the script did; empty when the server was already in the desired state. */
  changed: string[];
  /** True when the server had already applied a newer state (higher sequence): nothing was done. */
  stale: boolean;
  /** SSM command id, when the SSM adapter ran it. */
  commandId?: string;
}

export interface ProvisionFailure {
  ok: false;
  serverId: string;
  /** A message fit for the message log, e.g. "directory could not be created: /var/www/web12/cgi-bin". */
  error: string;
  /** True for time-outs, throttling and failures on the server; false for a state that can never apply. */
  retryable: boolean;
  commandId?: string;
}

export type ApplyResult = ApplySuccess | ProvisionFailure;

export interface UserUsage {
  username: string;
  /** Disk use of /var/www/<username>, in KiB (du -sk). */
  diskKb: number;
  /** Bytes served by the web server on the day (access.log). */
  webBytes: number;
  /** Bytes transferred by FTP on the day (xferlog). */
  ftpBytes: number;
}

export interface UsageReportSuccess {
  ok: true;
  serverId: string;
  /** The day, YYYY-MM-DD. */
  date: string;
  users: UserUsage[];
  commandId?: string;
}

export type UsageReport = UsageReportSuccess | ProvisionFailure;


/** The last non-empty line of stdout that parses as a JSON object, or undefined. */
import { DomainError } from '../errors';
import { validateDesiredState, type DesiredState } from './desired-state';
import { encodeStateForScript } from './script-encoding';

/** Validates and encodes a state for the script, or the failure to return without sending it. */
export function encodeForSending(serverId: string, state: DesiredState): { stateB64: string } | ProvisionFailure {
  try {
    validateDesiredState(state);
    return { stateB64: encodeStateForScript(state) };
  } catch (e) {
    const message = e instanceof DomainError ? e.message : String(e);
    return failure(serverId, `invalid desired state, not sent: ${message}`, false);
  }
}

export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v: unknown = JSON.parse(lines[i] as string);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON: try the line before
    }
  }
  return undefined;
}

function failure(serverId: string, error: string, retryable: boolean, commandId?: string): ProvisionFailure {
  return commandId === undefined ? { ok: false, serverId, error, retryable } : { ok: false, serverId, error, retryable, commandId };
}

/** Exit status 2 means the script refused its input: sending it again cannot help. */
function scriptFailure(serverId: string, parsed: Record<string, unknown> | undefined, exitCode: number | null,
  stderr: string, commandId?: string): ProvisionFailure {
  const error = typeof parsed?.error === 'string' ? parsed.error
    : `provisioning script failed (exit ${exitCode ?? 'unknown'})${stderr.trim() ? `: ${stderr.trim().slice(-500)}` : ''}`;
  return failure(serverId, error, exitCode !== 2, commandId);
}

export function parseApplyOutput(serverId: string, stdout: string, exitCode: number | null, stderr = '',
  commandId?: string): ApplyResult {
  const parsed = lastJsonLine(stdout);
  if (exitCode !== 0 || parsed?.ok !== true) return scriptFailure(serverId, parsed, exitCode, stderr, commandId);
  const changed = Array.isArray(parsed.changed) ? parsed.changed.filter((c): c is string => typeof c === 'string') : [];
  if (typeof parsed.username !== 'string' || typeof parsed.sequence !== 'number') {
    return failure(serverId, 'provisioning script answered without username or sequence', true, commandId);
  }
  return {
    ok: true,
    serverId,
    username: parsed.username,
    sequence: parsed.sequence,
    changed,
    stale: parsed.stale === true,
    ...(commandId === undefined ? {} : { commandId }),
  };
}

export function parseReportOutput(serverId: string, stdout: string, exitCode: number | null, stderr = '',
  commandId?: string): UsageReport {
  const parsed = lastJsonLine(stdout);
  if (exitCode !== 0 || parsed?.ok !== true) return scriptFailure(serverId, parsed, exitCode, stderr, commandId);
  if (typeof parsed.date !== 'string' || !Array.isArray(parsed.users)) {
    return failure(serverId, 'provisioning script answered a report without date or users', true, commandId);
  }
  const users: UserUsage[] = [];
  for (const u of parsed.users as unknown[]) {
    const r = u as Record<string, unknown>;
    if (typeof r?.username !== 'string') continue;
    users.push({
      username: r.username,
      diskKb: Number(r.diskKb) || 0,
      webBytes: Number(r.webBytes) || 0,
      ftpBytes: Number(r.ftpBytes) || 0,
    });
  }
  return { ok: true, serverId, date: parsed.date, users, ...(commandId === undefined ? {} : { commandId }) };
}

export const DATE_PATTERN = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
export const SERVER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
