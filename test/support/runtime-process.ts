import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface RuntimeProcess {
  url: string;
  pid: number;
  /** Everything it printed (for a failing test's message). */
  output(): string;
  /** SIGKILL to its whole process group (the runtime and its local SES): nothing gets to clean up. */
  kill(): Promise<void>;
  /** SIGTERM to the runtime: its own orderly stop (it stops DynamoDB Local itself). */
  stop(): Promise<void>;
}

/**
 * Starts the embedded runtime in a child process (test/support/runtime-child.ts) with `env` on top
 * of this one's, in a process group of its own, so that a test can kill it as a crash would, with
 * no exit handler run. Its table is in the shared runtime's DynamoDB Local under its data dir's key
 * (LOCAL_DYNAMODB_URL), as on AWS the table outlives a crashed function; `LOCAL_DYNAMODB_URL: ''`
 * gives it a DynamoDB Local of its own, killed with it.
 */
export async function startRuntimeProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<RuntimeProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/runtime-child.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', LOCAL_DYNAMODB_URL: inject('dynamoEndpoint'), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime process not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const m = /\{"ready":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime process exited (${code}) before it was ready:\n${out}`));
    });
  });
  const group = child.pid as number;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-group, s);
    } catch {
      /* already gone */
    }
  };
  return {
    url,
    pid: group,
    output: () => out,
    async kill() {
      signal('SIGKILL');
      await exited;
      // DynamoDB Local (same group) is gone too once its port is closed; give the kernel a moment.
      await new Promise((r) => setTimeout(r, 300));
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
