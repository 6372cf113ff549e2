import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../infra/local/runtime';
import { request } from '../support/http';

/** `npm start` twice on the same data directory: the second start finds everything. */
describe('embedded runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-restart-'));
  let runtime: Runtime | undefined;
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (url: string, method: string, path: string, body?: unknown, token?: string) => request(url, method, path, { body, token });

  it('keeps data across a restart and prints the generated operator password only once', async () => {
    runtime = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0 });
    const password = runtime.generatedOperatorPassword;
    const key = runtime.dynamoCredentials;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const op = (await call(runtime.url, 'POST', '/auth/login', { username: 'operator', password })).body.token;
    const created = await call(runtime.url, 'POST', '/operator/resellers', {
      username: 'persisted', password: 'persisted-password', email: 'p@example.com', limits: { users: 2 },
    }, op);
    expect(created.status).toBe(201);
    await runtime.stop();

    runtime = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0 });
    expect(runtime.generatedOperatorPassword).toBeUndefined();
    // The database belongs to the key kept in $DATA_DIR: the second start reads it back.
    expect(runtime.dynamoCredentials).toEqual(key);
    // The token issued before the restart still verifies: the issuer key is kept too.
    const list = await call(runtime.url, 'GET', '/operator/resellers', undefined, op);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { username: string }) => r.username)).toContain('persisted');
    const reseller = await call(runtime.url, 'POST', '/auth/login', { username: 'persisted', password: 'persisted-password' });
    expect(reseller.status).toBe(200);
  }, 120_000);
});
