/** The operator's hosting servers: register, list, view, change, assign resellers, re-push. */
import { NotFoundError } from '../../domain/errors';
import type { CreateServerInput, UpdateServerInput } from '../../domain/provisioning/servers';
import type { Principal } from '../../ports/identity';
import type { Server } from '../../ports/servers';
import { requireOperator } from '../actor';
import type { CoreDeps } from '../deps';
import type { ProvisioningPorts } from './deps';

type Deps = Pick<CoreDeps, 'clock' | 'resellers'> & ProvisioningPorts;

export async function registerServer(deps: Deps, actor: Principal, input: CreateServerInput): Promise<Server> {
  requireOperator(actor);
  const now = deps.clock.now().toISOString();
  const server: Server = {
    id: input.id,
    name: input.name,
    instanceId: input.instanceId ?? null,
    addresses: input.addresses ?? [],
    capacity: input.capacity ?? -1,
    users: 0,
    isDefault: input.isDefault ?? false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.servers.create(server);
  return server;
}

export async function listServers(deps: Deps, actor: Principal) {
  requireOperator(actor);
  return { items: await deps.servers.list() };
}

export async function getServer(deps: Deps, actor: Principal, serverId: string) {
  requireOperator(actor);
  const [server, resellers] = await Promise.all([deps.servers.get(serverId), deps.servers.resellersOf(serverId)]);
  if (!server) throw new NotFoundError('server not found');
  return { ...server, resellers };
}

export async function updateServer(deps: Deps, actor: Principal, serverId: string, input: UpdateServerInput) {
  requireOperator(actor);
  return deps.servers.update(serverId, input, deps.clock.now());
}

export async function assignServers(deps: Deps, actor: Principal, resellerId: string, serverIds: string[]) {
  requireOperator(actor);
  if (!(await deps.resellers.get(resellerId))) throw new NotFoundError('reseller not found');
  await deps.servers.assign(resellerId, serverIds);
  return { resellerId, serverIds: [...new Set(serverIds)] };
}

export async function serversOfReseller(deps: Deps, actor: Principal, resellerId: string) {
  requireOperator(actor);
  if (!(await deps.resellers.get(resellerId))) throw new NotFoundError('reseller not found');
  const assigned = await deps.servers.serversOf(resellerId);
  if (assigned.length) return { resellerId, serverIds: assigned, rule: 'assigned' as const };
  const defaults = (await deps.servers.list()).filter((s) => s.isDefault).map((s) => s.id);
  return { resellerId, serverIds: defaults, rule: 'default' as const };
}

/** Re-push one hosted user (found through its global owner record): a new sequence, pending, due now. */
export async function pushUser(deps: Deps, actor: Principal, username: string) {
  requireOperator(actor);
  const owner = await deps.provisioning.ownerOf(username);
  if (!owner) throw new NotFoundError('user not found');
  const ok = await deps.provisioning.bump(owner.resellerId, username, deps.clock.now().toISOString());
  if (!ok) throw new NotFoundError('user not found (deleted, and the delete is on the server already)');
  return { username, status: 'pending' as const };
}

/** Re-push every hosted user placed on a server: through the work queue (shared/app/provisioning/fanout.ts). */
export { startServerPush as pushServer } from './fanout';
