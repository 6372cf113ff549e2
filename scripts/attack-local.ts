/**
 * The security items of issue 8 re-tried from a second shell, as an attacker on the network would:
 * run `npm start` in one shell (own ports and data dir), then this script in another. It knows
 * only the ports and the operator password (to set up a victim), never the database key.
 *
 *   PORT=3410 SES_PORT=3411 DYNAMODB_PORT=3412 DATA_DIR=/tmp/rp-attack OPERATOR_PASSWORD=... npm start
 *   API=http://127.0.0.1:3410 DYNAMODB_PORT=3412 DATA_DIR=/tmp/rp-attack OPERATOR_PASSWORD=... npx tsx scripts/attack-local.ts
 *
 * Prints the figures as JSON (docs/security.md quotes one run).
 */
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

const API = process.env.API ?? 'http://127.0.0.1:3410';
const DB_PORT = Number(process.env.DYNAMODB_PORT ?? 3412);
const DATA_DIR = process.env.DATA_DIR;
const OPERATOR_PASSWORD = process.env.OPERATOR_PASSWORD ?? '';

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, retryAfter: res.headers.get('retry-after') };
}

const reachable = (host: string, port: number) =>
  new Promise<string>((res) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), res('open')));
    s.once('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'error'));
    s.once('timeout', () => (s.destroy(), res('timeout')));
  });

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
async function timed(n: number, op: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    ms.push(performance.now() - t);
  }
  return { p50_ms: Math.round(p50(ms) * 10) / 10, max_ms: Math.round(Math.max(...ms)) };
}

async function main() {
  const out: Record<string, unknown> = {};

  // 1. The database port, from outside and with a guessed key.
  const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  out.dynamodbFromOutsideAddress = outside ? { address: outside, connect: await reachable(outside, DB_PORT) } : 'no outside address';
  const guess = new DynamoDBClient({ endpoint: `http://127.0.0.1:${DB_PORT}`, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  out.dynamodbListTablesWithGuessedKey = (await guess.send(new ListTablesCommand({}))).TableNames;
  const key = { PK: { S: 'LOGIN#operator' }, SK: { S: 'LOGIN' } };
  out.dynamodbGetOperatorLogin = await guess.send(new GetItemCommand({ TableName: 'reseller-panel', Key: key })).then(
    (r) => (r.Item ? 'READ THE ITEM' : 'no item'),
    (e: Error) => `refused: ${e.name}`,
  );
  out.dynamodbPutOperatorLogin = await guess
    .send(new PutItemCommand({ TableName: 'reseller-panel', Item: { ...key, role: { S: 'operator' } } }))
    .then(() => 'WROTE', (e: Error) => `refused: ${e.name}`);
  guess.destroy();
  if (DATA_DIR) out.dataDirMode = (statSync(DATA_DIR).mode & 0o777).toString(8);

  // Set up: the operator (the legitimate user) and a victim reseller with a token.
  const op = (await call('POST', '/auth/login', { username: 'operator', password: OPERATOR_PASSWORD })).body.token as string;
  const victim = `victim${Date.now() % 100000}`;
  const created = await call('POST', '/operator/resellers', { username: victim, password: `${victim}-password-1`, email: 'v@example.com', limits: { users: 5 } }, op);
  const victimToken = (await call('POST', '/auth/login', { username: victim, password: `${victim}-password-1` })).body.token as string;

  // 2. Brute force: 100 wrong passwords for one username, one after another.
  const started = performance.now();
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 100; i++) {
    const r = await call('POST', '/auth/login', { username: victim, password: `guess-${i}` });
    statuses.push(r.status);
    retryAfter ??= r.retryAfter;
  }
  out.bruteForce100 = {
    answered401: statuses.filter((s) => s === 401).length,
    answered429: statuses.filter((s) => s === 429).length,
    first429At: statuses.indexOf(429) + 1,
    retryAfterSeconds: Number(retryAfter),
    rightPasswordNow: (await call('POST', '/auth/login', { username: victim, password: `${victim}-password-1` })).status,
    totalMs: Math.round(performance.now() - started),
  };

  // 3. A storm of 48 parallel bad logins (other names) while a signed-in user reads GET /account.
  out.getAccountQuiet = await timed(30, () => call('GET', '/account', undefined, victimToken));
  const storm = Promise.all(Array.from({ length: 48 }, (_, i) => call('POST', '/auth/login', { username: `storm${i}`, password: 'x-wrong-password' })));
  out.getAccountDuringStorm = await timed(30, () => call('GET', '/account', undefined, victimToken));
  const stormAnswers = (await storm).map((r) => r.status);
  out.storm48 = { answered401: stormAnswers.filter((s) => s === 401).length, answered429: stormAnswers.filter((s) => s === 429).length };

  // 4. The locked reseller with the token it already holds.
  await call('POST', `/operator/resellers/${created.body.id}/lock`, undefined, op);
  const afterLock = await call('POST', '/templates', { name: 'after lock', limits: { storageMb: 10 } }, victimToken);
  out.lockedResellerCreatesTemplate = { status: afterLock.status, code: afterLock.body?.error?.code };
  out.lockedResellerReadsAccount = (await call('GET', '/account', undefined, victimToken)).status;

  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
