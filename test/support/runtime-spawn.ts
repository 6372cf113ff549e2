import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What test/support/runtime-child.ts prints once it is ready. */
export interface ChildReady {
  ready: string;
  sesUrl: string;
  dynamoEndpoint: string;
  dynamoCredentials: { accessKeyId: string; secretAccessKey: string };
  tableName: string;
}

export interface SpawnedRuntime {
  child: ChildProcess;
  ready: ChildReady;
  /** Everything it printed (for a failing test's message). */
  output(): string;
}

/**
 * Starts test/support/runtime-child.ts (Node with tsx, as `npm start` runs) with exactly `env` and
 * resolves once it printed its ready line. `detached`: a process group of its own, so a test can
 * kill it and its DynamoDB Local as a crash would. `stderr: 'inherit'` shows its errors in the run.
 */
export function spawnRuntime(env: NodeJS.ProcessEnv, opts: { detached?: boolean; stderr?: 'pipe' | 'inherit'; timeoutMs?: number } = {}): Promise<SpawnedRuntime> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/runtime-child.ts')], {
    cwd: REPO_ROOT,
    env,
    detached: opts.detached ?? false,
    stdio: [env.CHILD_EXIT_WITH_PARENT === 'true' ? 'pipe' : 'ignore', 'pipe', opts.stderr ?? 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d) => (out += d));
  return new Promise<SpawnedRuntime>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`runtime process not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        clearTimeout(timer);
        res({ child, ready: JSON.parse(line) as ChildReady, output: () => out });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`runtime process exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}
