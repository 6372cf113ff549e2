import type { Skin } from '../domain/controlpanel/skins';

export interface SkinRepository {
  list(resellerId: string): Promise<Skin[]>;
  get(resellerId: string, name: string): Promise<Skin | undefined>;
  /** `mustExist` false: ConflictError when the name is taken. */
  put(resellerId: string, skin: Skin, mustExist: boolean): Promise<void>;
  /** NotFoundError when there is no such skin. */
  delete(resellerId: string, name: string): Promise<void>;
  getHelpPage(resellerId: string): Promise<string | null>;
  putHelpPage(resellerId: string, html: string): Promise<void>;
}
