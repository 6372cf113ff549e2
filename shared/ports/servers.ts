import type { Page, PageRequest } from './page';
/**
 * Managed hosting servers: registered by the operator, each with the SSM managed-instance id that
 * Run Command targets (the embedded runtime's servers have none), and the resellers assigned to
 * them. Each hosted user lives on exactly one server (`serverId` on the user), chosen at creation
 * among the reseller's servers with free capacity.
 *
 * Rule for resellers without an assignment: they get the installation's default server
 * (`Server.isDefault`; `npm start` registers `local-1` as the default).
 */

export interface Server {
  /** Stable id, lowercase letters, digits and dashes, e.g. `local-1`. */
  id: string;
  name: string;
  /** SSM managed-instance id (`i-…` or `mi-…`); null for servers of the embedded runtime. */
  instanceId: string | null;
  /** Public addresses (IPv4/IPv6) of the server. */
  addresses: string[];
  /** At most this many hosted users; -1 unlimited. */
  capacity: number;
  /** Hosted users placed on the server (kept in the same transaction as the user's creation/deletion). */
  users: number;
  /** The installation's default server, given to resellers that have no assignment. */
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ServerPatch {
  name?: string;
  instanceId?: string | null;
  addresses?: string[];
  capacity?: number;
  isDefault?: boolean;
}

export interface ServerRegistry {
  /** Every registered server, ordered by id (a key query, no Scan). */
  list(): Promise<Server[]>;
  get(serverId: string): Promise<Server | undefined>;
}

export interface ServerRepository extends ServerRegistry {
  /** ConflictError SERVER_EXISTS if the id is taken. */
  create(server: Server): Promise<void>;
  /** Creates the server only when absent; true when it was created. */
  createIfAbsent(server: Server): Promise<boolean>;
  /** NotFoundError when it does not exist; returns the server after the change. */
  update(serverId: string, patch: ServerPatch, at: Date): Promise<Server>;
  /** The servers assigned to a reseller, in the order they were assigned. */
  serversOf(resellerId: string): Promise<string[]>;
  /** Replaces the reseller's assignment (every id must exist: NotFoundError otherwise). */
  assign(resellerId: string, serverIds: string[]): Promise<void>;
  /** The resellers assigned to a server. */
  resellersOf(serverId: string): Promise<string[]>;
  /** One page of the registered servers, ordered by id (a key query on the server index). */
  listPage(page: PageRequest): Promise<Page<Server>>;
  /** Several servers at once, in the order asked (missing ones left out). */
  getMany(serverIds: string[]): Promise<Server[]>;
  /** The hosted users placed on a server (including deletes not pushed yet). */
  usersOf(serverId: string): Promise<{ resellerId: string; username: string }[]>;
}
