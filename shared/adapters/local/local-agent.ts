/**
 * The local agent: the Provisioner of the embedded runtime. It runs the very same provisioning
 * script as SSM does on real servers, with bash, against `$DATA_DIR/servers/<serverId>/root`, with
 * the system layer in "dry" mode (useradd, setquota, reload... are recorded under the root's
 * var/log/reseller-panel/system.log instead of run).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DATE_PATTERN,
  SERVER_ID_PATTERN,
  encodeForSending,
  parseApplyOutput,
  parseReportOutput,
} from '../../domain/provisioning/script-result';
import type { DesiredState } from '../../domain/provisioning/desired-state';
import { parseBatchOutput } from '../../domain/provisioning/batch';
import type { ApplyResult, ProvisionFailure, Provisioner, UsageReport } from '../../ports/provisioner';
import { localKeyStoreDir } from './local-key-store';

export interface LocalAgentOptions {
  /** The runtime's data directory ($DATA_DIR). */
  dataDir: string;
  /** Path of infra/provisioning/provision.sh. */
  scriptPath: string;
  /** Kill the script after this long (default 120 s). */
  timeoutMs?: number;
  /** The bash to run (default "bash" from PATH). */
  bash?: string;
  /** "dry" (default) records system commands; "real" only makes sense for a root of "/". */
  system?: 'dry' | 'real';
}

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  spawnError?: string;
}

export class LocalAgentProvisioner implements Provisioner {
  private readonly dataDir: string;
  private readonly scriptPath: string;
  private readonly timeoutMs: number;
  private readonly bash: string;
  private readonly system: 'dry' | 'real';

  constructor(options: LocalAgentOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.scriptPath = path.resolve(options.scriptPath);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.bash = options.bash ?? 'bash';
    this.system = options.system ?? 'dry';
  }

  /** The directory that plays the server's "/": $DATA_DIR/servers/<serverId>/root. */
  rootOf(serverId: string): string {
    return path.join(this.dataDir, 'servers', serverId, 'root');
  }

  async apply(serverId: string, state: DesiredState): Promise<ApplyResult> {
    const bad = this.checkServerId(serverId);
    if (bad) return bad;
    const encoded = encodeForSending(serverId, state);
    if ('ok' in encoded) return encoded;
    const root = await this.ensureRoot(serverId);
    if (typeof root !== 'string') return root;
    this.commands++;
    const run = await this.run(['apply', '--root', root, '--state-b64', encoded.stateB64, '--system', this.system]);
    if (run.spawnError !== undefined) return this.runFailure(serverId, run);
    if (run.timedOut) return this.runFailure(serverId, run);
    return parseApplyOutput(serverId, run.stdout, run.exitCode, run.stderr);
  }

  /** One run of the script for many users of the server (one "command"). */
  async applyBatch(serverId: string, states: readonly DesiredState[]): Promise<ApplyResult[]> {
    this.commands++;
    const bad = this.checkServerId(serverId);
    if (bad) return states.map(() => bad);
    const encoded = states.map((s) => encodeForSending(serverId, s));
    const sendable = states.filter((_, i) => !('ok' in (encoded[i] as object)));
    const b64 = encoded.flatMap((e) => ('ok' in e ? [] : [e.stateB64]));
    const root = await this.ensureRoot(serverId);
    if (typeof root !== 'string') return states.map(() => root);
    const run = b64.length
      ? await this.run(['apply-batch', '--root', root, '--states-b64', b64.join(' '), '--system', this.system], this.timeoutMs * Math.max(1, Math.ceil(b64.length / 10)))
      : undefined;
    const sent = run === undefined ? [] : run.spawnError !== undefined || run.timedOut
      ? sendable.map(() => this.runFailure(serverId, run))
      : parseBatchOutput(serverId, sendable, run.stdout, run.exitCode, run.stderr);
    let next = 0;
    return encoded.map((e) => ('ok' in e ? e : (sent[next++] as ApplyResult)));
  }

  /** Commands (script runs for apply, apply-batch and report) this agent has started: for benchmarks. */
  commands = 0;

  async report(serverId: string, date: string): Promise<UsageReport> {
    const bad = this.checkServerId(serverId);
    if (bad) return bad;
    if (!DATE_PATTERN.test(date)) return { ok: false, serverId, error: `date must be YYYY-MM-DD: ${date}`, retryable: false };
    const root = await this.ensureRoot(serverId);
    if (typeof root !== 'string') return root;
    this.commands++;
    const run = await this.run(['report', '--root', root, '--date', date, '--system', this.system]);
    if (run.spawnError !== undefined || run.timedOut) return this.runFailure(serverId, run);
    return parseReportOutput(serverId, run.stdout, run.exitCode, run.stderr);
  }

  private checkServerId(serverId: string): ProvisionFailure | undefined {
    return SERVER_ID_PATTERN.test(serverId)
      ? undefined
      : { ok: false, serverId, error: `invalid server id: ${JSON.stringify(serverId)}`, retryable: false };
  }

  private async ensureRoot(serverId: string): Promise<string | ProvisionFailure> {
    const root = this.rootOf(serverId);
    try {
      await mkdir(root, { recursive: true });
      return root;
    } catch (e) {
      return { ok: false, serverId, error: `server root could not be created: ${(e as Error).message}`, retryable: true };
    }
  }

  private runFailure(serverId: string, run: RunResult): ProvisionFailure {
    const error = run.spawnError !== undefined
      ? `provisioning script could not be started: ${run.spawnError}`
      : `provisioning script timed out after ${this.timeoutMs} ms`;
    return { ok: false, serverId, error, retryable: true };
  }

  private run(args: string[], timeoutMs = this.timeoutMs): Promise<RunResult> {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const done = (r: RunResult) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(r);
        }
      };
      const child = spawn(this.bash, [this.scriptPath, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // The key store's stand-in: the script reads private keys from it itself (never an argument).
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', PROVISION_KEY_STORE_DIR: localKeyStoreDir(this.dataDir) },
        detached: true,
      });
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          // The script and everything it started (its own process group).
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', (e) => done({ stdout, stderr, exitCode: null, timedOut, spawnError: e.message }));
      child.on('close', (code) => done({ stdout, stderr, exitCode: code, timedOut }));
    });
  }
}
