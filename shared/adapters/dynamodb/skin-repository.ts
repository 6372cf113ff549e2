import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { Skin } from '../../domain/controlpanel/skins';
import type { SkinRepository } from '../../ports/skins';
import { keys } from './keys';
import { queryPage } from './query-page';

const toSkin = (i: Record<string, unknown>): Skin => ({
  name: i.name as string,
  basedOn: i.basedOn as string,
  colors: i.colors as Skin['colors'],
  logoGif: (i.logoGif as string | undefined) ?? null,
  createdAt: i.createdAt as string,
  updatedAt: i.updatedAt as string,
});

/** How many skins a reseller may keep; one page lists them all. */
export const MAX_SKINS = 50;

export class DynamoSkinRepository implements SkinRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(resellerId: string): Promise<Skin[]> {
    const page = await queryPage(this.db, this.tableName, {
      partition: keys.partitionOf(resellerId),
      prefix: keys.skinPrefix,
      page: { limit: MAX_SKINS },
      map: toSkin,
    });
    return page.items;
  }

  async get(resellerId: string, name: string): Promise<Skin | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.skin(resellerId, name) }));
    return out.Item ? toSkin(out.Item) : undefined;
  }

  async put(resellerId: string, skin: Skin, mustExist: boolean): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.skin(resellerId, skin.name), type: 'skin', ...skin, logoGif: skin.logoGif ?? undefined },
          ConditionExpression: mustExist ? 'attribute_exists(PK)' : 'attribute_not_exists(PK)',
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        if (mustExist) throw new NotFoundError('skin not found');
        throw new ConflictError(`a skin named ${skin.name} exists`, 'SKIN_EXISTS', { name: 'is taken' });
      }
      throw e;
    }
  }

  async delete(resellerId: string, name: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.skin(resellerId, name), ConditionExpression: 'attribute_exists(PK)' }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new NotFoundError('skin not found');
      throw e;
    }
  }

  async getHelpPage(resellerId: string): Promise<string | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.setting(resellerId, 'help-page') }));
    return (out.Item?.html as string | undefined) ?? null;
  }

  async putHelpPage(resellerId: string, html: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.setting(resellerId, 'help-page'), type: 'setting', html } }));
  }
}
