import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BUILT_IN_DESIGNS, MAX_SKINS, type Skin } from '../../domain/controlpanel/skins';
import { ConflictError, ErrorCode, NotFoundError } from '../../domain/errors';
import type { SkinRepository } from '../../ports/skins';
import { keys, TABLE } from './keys';
import { countQuery, queryPage } from './query-page';
import { RETRY, unitOfWork, type UnitItem } from './unit-of-work';

export { MAX_SKINS };

const toSkin = (i: Record<string, unknown>): Skin => ({
  name: i.name as string,
  basedOn: i.basedOn as string,
  colors: i.colors as Skin['colors'],
  logoGif: (i.logoGif as string | undefined) ?? null,
  createdAt: i.createdAt as string,
  updatedAt: i.updatedAt as string,
});

export const isCustomDesign = (design: string | null | undefined): design is string =>
  !!design && !(BUILT_IN_DESIGNS as readonly string[]).includes(design);

const users = (n: number) => `${n} user${n === 1 ? '' : 's'}`;

export function skinInUse(name: string, wearers: number): ConflictError {
  return new ConflictError(`skin ${name} is worn by ${users(wearers)}: switch them to another design first`, ErrorCode.SKIN_IN_USE, {
    skinName: `is worn by ${users(wearers)}`,
  });
}

/**
 * Unit items for a user whose design changes from `before` to `after` (the user's own transaction):
 * the skin it now wears counts one more wearer, conditioned on existing (a skin deleted meanwhile
 * refuses the change: `onMissing`); the one it no longer wears one fewer. `gone` lists skins known
 * to be gone already (a user stored before skins counted wearers): nothing to release there.
 */
export function skinWearItems(
  tableName: string,
  resellerId: string,
  before: string | null | undefined,
  after: string | null | undefined,
  onMissing: () => Error,
  gone: Set<string>,
): UnitItem[] {
  if (before === after) return [];
  const items: UnitItem[] = [];
  const wear = (name: string, by: number): UnitItem['Update'] => ({
    TableName: tableName,
    Key: keys.skin(resellerId, name),
    UpdateExpression: 'ADD #w :d',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#w': 'wearers' },
    ExpressionAttributeValues: { ':d': by },
  });
  if (isCustomDesign(after)) items.push({ Update: wear(after, 1), onConditionFailed: onMissing });
  if (isCustomDesign(before) && !gone.has(before)) {
    items.push({
      Update: wear(before, -1),
      onConditionFailed: () => {
        gone.add(before);
        return RETRY;
      },
    });
  }
  return items;
}

class CounterMissing extends Error {}
class AlreadyCounted extends Error {}

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

  /** The skin and the reseller's skin count + 1 (at most `MAX_SKINS`), in one transaction. */
  async create(resellerId: string, skin: Skin): Promise<void> {
    await this.withCounter(resellerId, () => [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.skin(resellerId, skin.name), type: 'skin', ...skin, logoGif: skin.logoGif ?? undefined, wearers: 0, wearersCounted: true },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
        onConditionFailed: new ConflictError(`a skin named ${skin.name} exists`, ErrorCode.SKIN_EXISTS, { name: 'is taken' }),
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.skinCount(resellerId),
          UpdateExpression: 'ADD #c :one',
          ConditionExpression: 'attribute_exists(PK) AND #c < :max',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': MAX_SKINS },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
        onConditionFailed: (current) =>
          current ? new ConflictError(`at most ${MAX_SKINS} skins: delete one first`, ErrorCode.TOO_MANY_SKINS) : new CounterMissing(),
      },
    ]);
  }

  /** Colours, logo and base of an existing skin; its counts stay as they are. */
  async update(resellerId: string, skin: Skin): Promise<void> {
    const logo = skin.logoGif !== null;
    await unitOfWork(this.db).run([
      {
        Update: {
          TableName: this.tableName,
          Key: keys.skin(resellerId, skin.name),
          UpdateExpression: `SET #b = :b, #c = :c, #u = :u${logo ? ', #l = :l' : ''}${logo ? '' : ' REMOVE #l'}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#b': 'basedOn', '#c': 'colors', '#u': 'updatedAt', '#l': 'logoGif' },
          ExpressionAttributeValues: { ':b': skin.basedOn, ':c': skin.colors, ':u': skin.updatedAt, ...(logo ? { ':l': skin.logoGif } : {}) },
        },
        onConditionFailed: new NotFoundError('skin not found'),
      },
    ]);
  }

  /**
   * Deletes a skin nobody wears and that is not the reseller's own design, and counts it off, in one
   * transaction: a user or the reseller switching to it at the same moment either wins (then this is
   * 409 SKIN_IN_USE) or is refused (the skin is gone). Skins stored before wearers were counted
   * are first checked by a query of the users.
   */
  async delete(resellerId: string, name: string): Promise<void> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.skin(resellerId, name), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError('skin not found');
    if (out.Item.wearersCounted !== true) {
      // Users of a skin stored before wearers were counted: they only ever leave it (a new wearer is counted).
      const legacy = await this.countUsersWearing(resellerId, name);
      if (legacy > 0) throw skinInUse(name, legacy);
    }
    await this.withCounter(resellerId, () => [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.skin(resellerId, name),
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#w) OR #w <= :zero)',
          ExpressionAttributeNames: { '#w': 'wearers' },
          ExpressionAttributeValues: { ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
        onConditionFailed: (current) => (current ? skinInUse(name, Number(current.wearers)) : new NotFoundError('skin not found')),
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.reseller(resellerId),
          ConditionExpression: 'attribute_not_exists(#p.#d) OR #p.#d <> :name',
          ExpressionAttributeNames: { '#p': 'preferences', '#d': 'design' },
          ExpressionAttributeValues: { ':name': name },
        },
        onConditionFailed: new ConflictError('this skin is your default design for new users: choose another design first', ErrorCode.SKIN_IN_USE, {
          skinName: 'is your default design for new users',
        }),
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.skinCount(resellerId),
          UpdateExpression: 'ADD #c :minus',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':minus': -1 },
        },
        onConditionFailed: new CounterMissing(),
      },
    ]);
  }

  /** Runs a unit that moves the skin count; a reseller without a count item yet gets one first (its skins counted). */
  private async withCounter(resellerId: string, build: () => UnitItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await unitOfWork(this.db).run(build);
        return;
      } catch (e) {
        if (!(e instanceof CounterMissing) || attempt >= 2) throw e;
        await this.initCounter(resellerId);
      }
    }
  }

  /**
   * Skins stored before the count existed: count them once. Nothing changes them meanwhile, since
   * every create and delete needs the count item to exist.
   */
  private async initCounter(resellerId: string): Promise<void> {
    const count = await countQuery(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': keys.partitionOf(resellerId), ':prefix': keys.skinPrefix },
      ConsistentRead: true,
    });
    try {
      await unitOfWork(this.db).run([
        {
          Put: { TableName: this.tableName, Item: { ...keys.skinCount(resellerId), type: 'skinCount', count }, ConditionExpression: 'attribute_not_exists(PK)' },
          onConditionFailed: new AlreadyCounted(),
        },
      ]);
    } catch (e) {
      if (!(e instanceof AlreadyCounted)) throw e; // another request counted them first
    }
  }

  private async countUsersWearing(resellerId: string, name: string): Promise<number> {
    return countQuery(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: '#d = :name',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, '#d': 'design' },
      ExpressionAttributeValues: { ':pk': keys.partitionOf(resellerId), ':prefix': keys.userPrefix, ':name': name },
      ConsistentRead: true,
    });
  }

  async getHelpPage(resellerId: string): Promise<string | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.setting(resellerId, 'help-page') }));
    return (out.Item?.html as string | undefined) ?? null;
  }

  async putHelpPage(resellerId: string, html: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.setting(resellerId, 'help-page'), type: 'setting', html } }));
  }
}
