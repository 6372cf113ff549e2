/**
 * A push of a whole server: N hosted users (1,000 by default, BENCH_PUSH_USERS) placed on one server
 * of the embedded runtime, all pending, then the provisioning worker until none is due. Reports the
 * commands sent to the server (one local-agent run stands for one SSM command; aim: one per 50
 * users or fewer), users per second as a ratio to the raw rate of the same local agent pushing one
 * user per command (the pre-batch way) in the same run, and DynamoDB round trips per user.
 */
import { LocalAgentProvisioner } from '../shared/adapters/local/local-agent';
import type { AppDeps } from '../shared/adapters/compose';
import { createUser } from '../shared/app/controlpanel/users';
import { runProvisioning } from '../shared/app/provisioning/worker';
import { desiredState } from '../shared/domain/provisioning';
import { DEFAULT_PREFERENCES, resolveFeatures, type Reseller } from '../shared/domain/reseller';
import type { Principal } from '../shared/ports/identity';
import { PROVISION_SCRIPT_PATH } from '../infra/provisioning/ssm-document';
import { round, type BenchResult } from './lib';

interface Ctx {
  deps: AppDeps;
  dataDir: string;
}

const SERVER = 'bench-push-1';

export async function runProvisioningPushBench(ctx: Ctx): Promise<BenchResult[]> {
  const { deps, dataDir } = ctx;
  const N = Number(process.env.BENCH_PUSH_USERS ?? 1000);
  const agent = new LocalAgentProvisioner({ dataDir, scriptPath: PROVISION_SCRIPT_PATH });
  const now = deps.clock.now().toISOString();
  await deps.servers.createIfAbsent({
    id: SERVER, name: 'bench push', instanceId: null, addresses: [], capacity: -1, users: 0, isDefault: false, createdAt: now, updatedAt: now,
  });
  const id = 'rbenchpush0000000001';
  const reseller = {
    id, username: 'benchpush', email: 'bp@example.com', status: 'active', limits: { users: -1, storageMb: -1, trafficGb: -1 }, hardLimits: {},
    features: resolveFeatures(undefined), preferences: { ...DEFAULT_PREFERENCES }, used: {}, createdAt: now, updatedAt: now,
  } as unknown as Reseller;
  await deps.resellers.create(reseller, { username: reseller.username, role: 'reseller', resellerId: id, locked: false, passwordHash: 'x' });
  await deps.servers.assign(id, [SERVER]);
  const actor = { role: 'reseller', username: reseller.username, resellerId: id } as Principal;

  // Setup (not measured): the users, through the real create (password hashing skipped).
  const fast = { ...deps, hashPassword: async () => 'bench-hash' };
  for (let i = 0; i < N; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, () =>
      createUser(fast, actor, { personal: { firstName: 'B', lastName: 'P', email: 'bp@example.com' }, limits: { storageMb: 10 }, services: { cgi: true, php: true } } as never)));
  }

  // Raw rate of the same local part: one script run per user, as before batching.
  const RAW = Math.min(20, N);
  let t = performance.now();
  for (let i = 0; i < RAW; i++) {
    await agent.apply('bench-raw-1', desiredState({ username: `web${900_000_000 + i}`, resellerId: id, sequence: 1, services: { cgi: true, php: true } }));
  }
  const rawPerS = (RAW * 1000) / (performance.now() - t);

  const commandsBefore = agent.commands;
  const trips = { ...deps.roundTrips.byCommand };
  const tripsBefore = deps.roundTrips.count;
  t = performance.now();
  let applied = 0;
  let failed = 0;
  let commands = 0;
  for (let round = 0; round < 100; round++) {
    const r = await runProvisioning({ ...deps, provisioner: agent }, { concurrency: 4 });
    applied += r.applied;
    failed += r.failed;
    commands += r.commands;
    if (!r.pushed) break;
  }
  const ms = performance.now() - t;
  const perS = (applied * 1000) / ms;
  const byCommand = Object.fromEntries(
    Object.entries(deps.roundTrips.byCommand).map(([k, v]) => [k, round((v - (trips[k] ?? 0)) / Math.max(1, applied), 2)]).filter(([, v]) => Number(v) > 0),
  );
  return [
    {
      name: `provisioning push of ${N} users on one server`,
      figures: {
        users_applied: applied,
        failed,
        commands_sent: agent.commands - commandsBefore,
        worker_commands: commands,
        users_per_command: round(applied / Math.max(1, agent.commands - commandsBefore), 1),
        users_per_s: round(perS, 1),
        raw_one_user_per_command_per_s: round(rawPerS, 1),
        throughput_vs_raw: round(perS / rawPerS, 2),
        dynamodb_round_trips_per_user: round((deps.roundTrips.count - tripsBefore) / Math.max(1, applied), 2),
        ...Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [`per_user_${k}`, v])),
      },
    },
  ];
}
