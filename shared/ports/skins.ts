import type { Skin } from '../domain/controlpanel/skins';

export interface SkinRepository {
  list(resellerId: string): Promise<Skin[]>;
  get(resellerId: string, name: string): Promise<Skin | undefined>;
  /** A new skin, counted against MAX_SKINS in the same transaction: ConflictError SKIN_EXISTS or TOO_MANY_SKINS. */
  create(resellerId: string, skin: Skin): Promise<void>;
  /** Base, colours and logo of an existing skin (NotFoundError when there is none); its counts stay. */
  update(resellerId: string, skin: Skin): Promise<void>;
  /**
   * NotFoundError when there is no such skin; ConflictError SKIN_IN_USE (naming how many wear it)
   * when users wear it or it is the reseller's own design, decided in the delete's own transaction.
   */
  delete(resellerId: string, name: string): Promise<void>;
  getHelpPage(resellerId: string): Promise<string | null>;
  putHelpPage(resellerId: string, html: string): Promise<void>;
}
