import { ConflictError } from '../../domain/errors';
import { hasRoom } from '../../domain/provisioning/servers';
import type { ServerRepository } from '../../ports/servers';

/**
 * The server a new hosted user of `resellerId` goes to: the first of the reseller's servers (in the
 * order the operator assigned them) with free capacity. A reseller without an assignment gets the
 * installation's default server(s) (`isDefault`; `npm start` registers `local-1` as the default).
 * The transaction that creates the user takes the slot with a condition on the capacity.
 */
export async function chooseServer(servers: ServerRepository, resellerId: string, assigned?: string[]): Promise<string> {
  // The assignment usually comes with the create's first BatchGetItem; then one read of the candidates.
  const ids = assigned ?? (await servers.serversOf(resellerId));
  const candidates = ids.length ? await servers.getMany(ids) : (await servers.list()).filter((s) => s.isDefault);
  const chosen = candidates.find(hasRoom);
  if (!chosen) {
    throw new ConflictError(
      candidates.length ? 'no hosting server with free capacity: ask the operator for room' : 'no hosting server is registered for your account',
      'NO_SERVER',
    );
  }
  return chosen.id;
}
