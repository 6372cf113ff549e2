import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { desiredState, encodeStateForScript, type DesiredStateInput } from '../../../shared/domain/provisioning';
import { PROVISION_SCRIPT_PATH } from '../../../infra/provisioning/ssm-document';

export const SCRIPT = PROVISION_SCRIPT_PATH;

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

export function runScript(args: string[], env: Record<string, string> = {}): ScriptRun {
  const r = spawnSync('bash', [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    timeout: 60_000,
  });
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: JSON.parse(lines[0] as string) as Record<string, unknown> };
}

export function applyB64(root: string, b64: string): ScriptRun {
  return runScript(['apply', '--root', root, '--state-b64', b64]);
}

export function apply(root: string, input: DesiredStateInput): ScriptRun {
  return applyB64(root, encodeStateForScript(desiredState(input)));
}

/** Base64 of raw script lines: for states the TypeScript side would refuse to build. */
export function rawB64(lines: string[]): string {
  return Buffer.from(lines.join('\n') + '\n', 'utf8').toString('base64');
}

export const tmpRoots: string[] = [];
export function tmpRoot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provision-root-'));
  tmpRoots.push(dir);
  return dir;
}
export function cleanTmpRoots(): void {
  for (const d of tmpRoots.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every entry under `root`: relative path, type, mode, and content hash or link target. */
export function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = lstatSync(full);
      const rel = path.relative(root, full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`${rel} l ${mode} -> ${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.push(`${rel} d ${mode}`);
        walk(full);
      } else out.push(`${rel} f ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
    }
  };
  walk(root);
  return out;
}

export function read(root: string, rel: string): string {
  return readFileSync(path.join(root, rel), 'utf8');
}

export function exists(root: string, rel: string): boolean {
  try {
    lstatSync(path.join(root, rel));
    return true;
  } catch {
    return false;
  }
}

export function modeOf(root: string, rel: string): string {
  return (lstatSync(path.join(root, rel)).mode & 0o7777).toString(8);
}
