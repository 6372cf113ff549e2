import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, inject } from 'vitest';
import { localClientConfig } from '../../shared/adapters/dynamodb/client';
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
 * jobs over the whole table: the shared runtime's other tests must not see that. Its table is in
 * the shared runtime's DynamoDB Local under a key of its own (a database nobody else sees), not in
 * a JVM of its own: a cold DynamoDB Local costs seconds of CPU to start and answers 2-3 times
 * slower until it is warm. `ownDynamo: true` starts one anyway.
 */
export async function startOwnRuntime(name: string, start?: string, options: Partial<RuntimeOptions> & { ownDynamo?: boolean } = {}): Promise<OwnRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), `rp-${name}-`));
  const operatorPassword = `${name}-operator-password`;
  const { ownDynamo, ...rest } = options;
  const rt = await startRuntime({
    dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword,
    ...(ownDynamo ? {} : { externalDynamoUrl: inject('dynamoEndpoint') }),
    ...rest,
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
      if (!ownDynamo) {
        // Frees the shared DynamoDB Local's memory of this runtime's database.
        const db = new DynamoDBClient(localClientConfig(rt.dynamoEndpoint, rt.dynamoCredentials));
        await db.send(new DeleteTableCommand({ TableName: rt.tableName })).catch(() => undefined);
        db.destroy();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
