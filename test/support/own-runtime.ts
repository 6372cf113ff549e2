import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../infra/local/runtime';
import { request, type ApiResponse } from './http';

export interface OwnRuntime {
  rt: Runtime;
  operatorToken: string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse>;
  /** A reseller the operator creates, signed in. */
  reseller(username: string, limits?: Record<string, number>): Promise<{ id: string; username: string; token: string }>;
  /** Moves the dev clock to `day` 10:00 UTC and lets the scheduler run every day that passed. */
  goTo(day: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An embedded runtime of a test file's own, for tests that move the dev clock or run the daily
 * jobs over the whole table: the shared runtime's other tests must not see that.
 */
export async function startOwnRuntime(name: string, start?: string, options: Partial<RuntimeOptions> = {}): Promise<OwnRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), `rp-${name}-`));
  const operatorPassword = `${name}-operator-password`;
  const rt = await startRuntime({
    dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword, ...options,
    // scrypt at N=2^10 (test runtimes only), as the shared runtime.
    env: { PASSWORD_HASH_COST_LOG2: '10', ...(options.env ?? {}) },
  });
  if (start) {
    rt.clock.setTo(new Date(start));
    // A fresh table: the days between the machine's date and `start` have nothing to run.
    rt.scheduler.skipTo(start.slice(0, 10));
  }
  const call: OwnRuntime['call'] = (method, path, body, token) => request(rt.url, method, path, { body, token });
  const operator = (await call('POST', '/auth/login', { username: 'operator', password: operatorPassword })).body.token as string;
  return {
    rt,
    operatorToken: operator,
    call,
    async reseller(username, limits = { users: 20 }) {
      const created = await call('POST', '/operator/resellers', { username, password: `${username}-password-1`, email: `${username}@example.com`, limits }, operator);
      expect(created.status).toBe(201);
      const token = (await call('POST', '/auth/login', { username, password: `${username}-password-1` })).body.token as string;
      return { id: created.body.id as string, username, token };
    },
    async goTo(day) {
      rt.clock.setTo(new Date(`${day}T10:00:00Z`));
      const runs = await rt.scheduler.tick();
      expect(runs.filter((r) => !r.ok)).toEqual([]);
    },
    async stop() {
      await rt.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
