import { inject } from 'vitest';
import { spawnRuntime } from './runtime-spawn';

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
  const { child, ready, output } = await spawnRuntime(
    { ...process.env, PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', LOCAL_DYNAMODB_URL: inject('dynamoEndpoint'), ...env },
    { detached: true, timeoutMs },
  );
  const exited = new Promise<void>((res) => (child.exitCode !== null ? res() : child.once('exit', () => res())));
  const url = ready.ready;
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
    output,
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
