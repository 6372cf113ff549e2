import type { Reseller } from '../domain/reseller';
import type { LoginRecord } from './identity';
import type { Page, PageRequest } from './page';

export type ResellerPatch = Partial<
  Pick<Reseller, 'email' | 'limits' | 'hardLimits' | 'features' | 'preferences' | 'status'>
> & {
  /** Write only if the profile's settings are still at this version (from getVersioned): no lost read-modify-write. */
  expectedVersion?: number;
  /** The write also needs this skin to exist (same transaction): the reseller's design chosen from its skins. */
  requireSkin?: string;
};

export interface ResellerRepository {
  /** Creates the login and the profile in one transaction; ConflictError if the name is taken. */
  create(reseller: Reseller, login: LoginRecord): Promise<void>;
  get(resellerId: string): Promise<Reseller | undefined>;
  /** The profile and the version of its settings, for a read-modify-write with `expectedVersion`. */
  getVersioned(resellerId: string): Promise<{ reseller: Reseller; version: number } | undefined>;
  list(page: PageRequest): Promise<Page<Reseller>>;
  /**
   * NotFoundError when it does not exist; ConcurrentChangeError when `expectedVersion` is given and
   * the settings changed since. Every update moves the version on. Returns the profile after the change.
   */
  update(resellerId: string, patch: ResellerPatch, at: Date): Promise<Reseller>;
}

export interface LoginStore {
  get(username: string): Promise<LoginRecord | undefined>;
  /** Creates a login that does not exist yet (first-start operator); false if it exists. */
  createIfAbsent(login: LoginRecord): Promise<boolean>;
  setPasswordHash(username: string, hash: string): Promise<void>;
  setLocked(username: string, locked: boolean): Promise<void>;
}
