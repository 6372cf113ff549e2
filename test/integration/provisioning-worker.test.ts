/**
 * The provisioning worker on DynamoDB Local with a fake Provisioner (an in-memory implementation of
 * the port: it stands for the hosting server, not for our storage) and one SsmProvisioner on
 * aws-sdk-client-mock.
 *
 * The worker runs against a table of its own on the test runtime's DynamoDB Local: the runtime's own
 * worker pushes everything queued in the runtime's table to `local-1`, and must not take these users.
 */
import { localDbCredentials, localDbEnv } from '../support/local-db';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { composeFromEnv, type AppDeps } from '../../shared/adapters/compose';
import { ensureTable } from '../../infra/local/dynamodb-local';
import { createUser, deleteUser, patchUser, setUserLocked } from '../../shared/app/controlpanel/users';
import { runProvisioning } from '../../shared/app/provisioning/worker';
import { pushUser } from '../../shared/app/provisioning/servers';
import { SsmProvisioner } from '../../shared/adapters/ssm/ssm-provisioner';
import { DEFAULT_PREFERENCES, resolveFeatures, type Reseller } from '../../shared/domain/reseller';
import type { DesiredState } from '../../shared/domain/provisioning';
import type { ApplyResult, Provisioner } from '../../shared/ports/provisioner';
import type { Principal } from '../../shared/ports/identity';

class ManualClock {
  t = Date.parse('2030-01-01T00:00:00Z');
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/** The hosting server, in memory: records each state and answers what it is told to. */
class FakeServer implements Provisioner {
  applied: { serverId: string; state: DesiredState }[] = [];
  answers: ((state: DesiredState) => ApplyResult | Promise<ApplyResult>)[] = [];
  async apply(serverId: string, state: DesiredState): Promise<ApplyResult> {
    this.applied.push({ serverId, state });
    const next = this.answers.shift();
    if (next) return next(state);
    return { ok: true, serverId, username: state.username, sequence: state.sequence, changed: [], stale: false };
  }
  batches: number[] = [];
  async applyBatch(serverId: string, states: readonly DesiredState[]): Promise<ApplyResult[]> {
    this.batches.push(states.length);
    const out: ApplyResult[] = [];
    for (const s of states) out.push(await this.apply(serverId, s));
    return out;
  }
  async report(serverId: string) {
    return { ok: true as const, serverId, date: '2030-01-01', users: [] };
  }
}

let deps: AppDeps;
const clock = new ManualClock();
const fake = new FakeServer();
const SERVER = 'srv-a';
const operatorActor: Principal = { role: 'operator', username: 'operator' } as Principal;

beforeAll(async () => {
  const tableName = `prov-worker-${randomBytes(4).toString('hex')}`;
  await ensureTable(inject('dynamoEndpoint'), localDbCredentials(), tableName);
  deps = await composeFromEnv(localDbEnv(tableName), { clock });
  await deps.servers.createIfAbsent({
    id: SERVER, name: 'A', instanceId: 'i-0123456789abcdef0', addresses: [], capacity: -1, users: 0, isDefault: true,
    createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString(),
  });
});

beforeEach(() => {
  fake.applied = [];
  fake.answers = [];
  fake.batches = [];
});

async function newReseller(): Promise<Principal> {
  const id = `r${randomBytes(10).toString('hex')}`;
  const now = clock.now().toISOString();
  const reseller: Reseller = {
    id, username: `w${randomBytes(4).toString('hex')}`, email: 'r@example.com', status: 'active',
    limits: { users: 100, storageMb: 100000, trafficGb: -1 }, hardLimits: {}, features: resolveFeatures(undefined),
    preferences: { ...DEFAULT_PREFERENCES }, used: {}, createdAt: now, updatedAt: now,
  } as Reseller;
  await deps.resellers.create(reseller, { username: reseller.username, role: 'reseller', resellerId: id, locked: false, passwordHash: 'x' });
  return { role: 'reseller', username: reseller.username, resellerId: id } as Principal;
}

const run = () => runProvisioning({ ...deps, provisioner: fake }, { concurrency: 2 });
const status = (actor: Principal, username: string) => deps.provisioning.get(actor.resellerId as string, username);
const create = async (actor: Principal) =>
  (await createUser(deps, actor, { personal: { firstName: 'A', lastName: 'B', email: 'a@example.com' }, limits: { storageMb: 10 }, services: { cgi: true } } as never)) as { username: string; serverId: string };

describe('provisioning worker (DynamoDB Local, fake Provisioner)', () => {
  it('pushes a new user with sequence 1 to its server and marks it applied; nothing left to do after', async () => {
    const actor = await newReseller();
    const u = await create(actor);
    expect(u.serverId).toBe(SERVER);
    expect((await status(actor, u.username))?.status).toBe('pending');
    const r = await run();
    expect(r.applied).toBeGreaterThanOrEqual(1);
    const mine = fake.applied.filter((a) => a.state.username === u.username);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ serverId: SERVER, state: { sequence: 1, services: { cgi: true }, locked: false, deleted: false } });
    expect(await status(actor, u.username)).toMatchObject({ status: 'applied', sequence: 1, attempts: 0, lastError: null, nextAttemptAt: null });
    fake.applied = [];
    await run();
    expect(fake.applied).toHaveLength(0);
  });

  it('a change made while a push runs is not lost and is applied after it, in order', async () => {
    const actor = await newReseller();
    const u = await create(actor);
    await run();
    await setUserLocked(deps, actor, u.username, true); // sequence 2
    fake.applied = [];
    fake.answers.push(async (state) => {
      // Meanwhile the reseller unlocks the user: sequence 3.
      await setUserLocked(deps, actor, u.username, false);
      return { ok: true, serverId: SERVER, username: state.username, sequence: state.sequence, changed: [], stale: false };
    });
    const r = await run();
    expect(r.superseded).toBe(1);
    const seqs = fake.applied.filter((a) => a.state.username === u.username).map((a) => [a.state.sequence, a.state.locked]);
    expect(seqs).toEqual([[2, true], [3, false]]);
    expect(await status(actor, u.username)).toMatchObject({ status: 'applied', sequence: 3 });
  });

  it('an index page changed while a run is still passing over due users is what the later passes push (issue 8)', async () => {
    // A worker run under load keeps passing while users keep coming due; the page it read for the
    // reseller's first user must not be pushed to a user bumped after the page changed.
    const actor = await newReseller();
    const resellerId = actor.resellerId as string;
    await deps.provisioning.putIndexPage(resellerId, '<h1>Welcom ##user##</h1>', clock.now().toISOString());
    const first = await create(actor);
    const follower = await create(actor);
    await run();
    fake.applied = [];
    await setUserLocked(deps, actor, first.username, true);
    fake.answers.push(async (state) => {
      // While the first user's push runs: the page is fixed, then the follower is pushed again (the
      // fan-out's bump), so it is due in the same run's next pass.
      await deps.provisioning.putIndexPage(resellerId, '<h1>Welcome ##user##</h1>', clock.now().toISOString());
      await setUserLocked(deps, actor, follower.username, true);
      return { ok: true, serverId: SERVER, username: state.username, sequence: state.sequence, changed: [], stale: false };
    });
    await run();
    const pushed = fake.applied.filter((a) => a.state.username === follower.username);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.state.indexPage).toBe('<h1>Welcome ##user##</h1>');
  });

  it('a retryable failure: failed with the message, backoff, an error in the message log; recovers on the next retry', async () => {
    const actor = await newReseller();
    const u = await create(actor);
    const error = `directory could not be created: /var/www/${u.username}/cgi-bin exists and is not a directory`;
    fake.answers.push(() => ({ ok: false, serverId: SERVER, error, retryable: true }));
    await run();
    const failed = await status(actor, u.username);
    expect(failed).toMatchObject({ status: 'failed', lastError: error, attempts: 1, nextAttemptAt: new Date(clock.t + 30_000).toISOString() });
    const log = await deps.messages.list(actor.resellerId as string, { type: 'error', limit: 10 });
    expect(log.items[0]?.text).toContain(error);

    // Not due yet: nothing is pushed.
    fake.applied = [];
    await run();
    expect(fake.applied).toHaveLength(0);
    // Second failure: the delay doubles (60 s); the same error is not logged twice.
    clock.advance(30_000);
    fake.answers.push(() => ({ ok: false, serverId: SERVER, error, retryable: true }));
    await run();
    expect(await status(actor, u.username)).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: new Date(clock.t + 60_000).toISOString() });
    expect((await deps.messages.list(actor.resellerId as string, { type: 'error', limit: 10 })).items).toHaveLength(1);

    clock.advance(60_000);
    await run();
    expect(await status(actor, u.username)).toMatchObject({ status: 'applied', attempts: 0, lastError: null });
  });

  it('a failure that cannot succeed stays failed (no retries) until the operator re-pushes', async () => {
    const actor = await newReseller();
    const u = await create(actor);
    fake.answers.push(() => ({ ok: false, serverId: SERVER, error: 'invalid state: bad domain', retryable: false }));
    await run();
    expect(await status(actor, u.username)).toMatchObject({ status: 'failed', nextAttemptAt: null });
    clock.advance(7_200_000);
    fake.applied = [];
    await run();
    expect(fake.applied.filter((a) => a.state.username === u.username)).toHaveLength(0);
    await pushUser(deps, operatorActor, u.username);
    await run();
    expect(await status(actor, u.username)).toMatchObject({ status: 'applied', sequence: 2 });
  });

  it('a delete is pushed as a delete state; then the status and the server slot are gone', async () => {
    const actor = await newReseller();
    const u = await create(actor);
    await run();
    const before = (await deps.servers.get(SERVER))!.users;
    await patchUser(deps, actor, u.username, { services: { php: true } });
    await deleteUser(deps, actor, u.username);
    fake.applied = [];
    await run();
    const mine = fake.applied.filter((a) => a.state.username === u.username);
    expect(mine.map((a) => [a.state.sequence, a.state.deleted])).toEqual([[3, true]]);
    expect(await status(actor, u.username)).toBeUndefined();
    expect((await deps.servers.get(SERVER))!.users).toBe(before - 1);
    expect((await deps.servers.usersOf(SERVER)).some((x) => x.username === u.username)).toBe(false);
  });

  it('sends the users of a server in batches of at most 50 (one command each); a failure stays on its user', async () => {
    const actor = await newReseller();
    const users: string[] = [];
    for (let i = 0; i < 52; i += 13) users.push(...(await Promise.all(Array.from({ length: 13 }, () => create(actor)))).map((u) => u.username));
    const bad = users[7]!;
    fake.answers = users.map((_, i) => (state: DesiredState) =>
      state.username === bad
        ? { ok: false, serverId: SERVER, error: 'quota could not be set', retryable: true }
        : { ok: true, serverId: SERVER, username: state.username, sequence: state.sequence, changed: [], stale: false });
    const r = await run();
    expect(r.commands).toBe(fake.batches.length);
    expect(Math.max(...fake.batches)).toBeLessThanOrEqual(50);
    expect(fake.batches.length).toBe(Math.ceil(fake.applied.length / 50));
    expect(r.applied).toBe(fake.applied.length - 1);
    expect(await status(actor, bad)).toMatchObject({ status: 'failed', lastError: 'quota could not be set', attempts: 1 });
    expect(await status(actor, users[8]!)).toMatchObject({ status: 'applied' });
  }, 180_000);

  it("a server another worker is pushing to is left alone (its entries stay due, unclaimed)", async () => {
    const actor = await newReseller();
    const u = await create(actor);
    const until = new Date(clock.t + 60_000).toISOString();
    expect(await deps.provisioning.leaseServer(SERVER, 'other-worker', until, clock.now().toISOString())).toBe(true);
    const r = await run();
    expect(fake.applied).toHaveLength(0);
    expect(r.commands).toBe(0);
    expect(await status(actor, u.username)).toMatchObject({ status: 'pending', nextAttemptAt: expect.any(String) });
    // The lease runs out (a crashed holder) or is given back: the next run pushes.
    await deps.provisioning.releaseServer(SERVER, 'other-worker');
    await run();
    expect(await status(actor, u.username)).toMatchObject({ status: 'applied' });
  });

  it('SSM throttled: failed with the message, then recovers on retry (SsmProvisioner on aws-sdk-client-mock)', async () => {
    const ssm = mockClient(SSMClient);
    try {
      const provisioner = new SsmProvisioner({
        client: new SSMClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 }),
        documentName: 'ResellerPanel-Provision',
        resolveInstanceId: async (id) => (await deps.servers.get(id))!.instanceId as string,
        pollIntervalMs: 1,
        timeoutMs: 5_000,
        sleep: async () => undefined,
      });
      const actor = await newReseller();
      const u = await create(actor);
      ssm.on(SendCommandCommand).rejects(new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));
      await runProvisioning({ ...deps, provisioner });
      const failed = await status(actor, u.username);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed?.lastError).toMatch(/ThrottlingException|throttl/i);

      ssm.reset();
      // The server answers for every state of the batch (other users of this table may be due too).
      let sentStates: string[] = [];
      ssm.on(SendCommandCommand).callsFake((input: { Parameters?: Record<string, string[]> }) => {
        sentStates = (input.Parameters?.states?.[0] ?? '').split(' ').filter(Boolean);
        return { Command: { CommandId: 'cmd-1' } };
      });
      ssm.on(GetCommandInvocationCommand).callsFake(() => {
        const lines = sentStates.map((b64, item) => {
          const text = Buffer.from(b64, 'base64').toString('utf8');
          const field = (k: string) => text.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1] ?? '';
          return JSON.stringify({ item, exit: 0, result: { ok: true, username: field('username'), sequence: Number(field('sequence')), locked: false, deleted: false, changed: ['mkdir /var/www'] } });
        });
        return { Status: 'Success', ResponseCode: 0, StandardOutputContent: `${lines.join('\n')}\n{"ok":true,"items":${lines.length}}\n` };
      });
      clock.advance(30_000);
      await runProvisioning({ ...deps, provisioner });
      expect(await status(actor, u.username)).toMatchObject({ status: 'applied', sequence: 1 });
      const sent = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
      expect(sent.InstanceIds).toEqual(['i-0123456789abcdef0']);
      expect(sent.Parameters?.action).toEqual(['apply-batch']);
    } finally {
      ssm.restore();
    }
  });
});
