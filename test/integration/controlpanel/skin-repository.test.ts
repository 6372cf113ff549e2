/**
 * Skins stored before the count item and the wearer counts existed (issue 8), on DynamoDB Local:
 * the first create or delete counts the reseller's skins once, so the limit holds for old data too;
 * a skin without counted wearers is not deleted while a stored user still wears it; a user leaving
 * a skin that is already gone is not refused.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { keys } from '../../../shared/adapters/dynamodb/keys';
import { DynamoSkinRepository } from '../../../shared/adapters/dynamodb/skin-repository';
import { DynamoUserRepository } from '../../../shared/adapters/dynamodb/user-repository';
import { builtInColors, MAX_SKINS, type Skin } from '../../../shared/domain/controlpanel/skins';
import type { HostedUser } from '../../../shared/domain/controlpanel/users';
import { localDocumentClient } from '../../support/local-db';

const T = () => inject('tableName');
const db = localDocumentClient();
const skin = (name: string): Skin => ({ name, basedOn: 'ocean', colors: builtInColors('ocean')!, logoGif: null, createdAt: 'x', updatedAt: 'x' });
/** A skin item as the code before issue 8 stored it: no wearer count. */
const oldSkin = (r: string, name: string) =>
  db.send(new PutCommand({ TableName: T(), Item: { ...keys.skin(r, name), type: 'skin', ...skin(name), logoGif: undefined } }));
const rid = () => `skinrepo${randomBytes(4).toString('hex')}`;

describe('skins stored before the counts', () => {
  it('counts old skins once on the first create: the limit holds', async () => {
    const r = rid();
    const repo = new DynamoSkinRepository(db, T());
    for (let i = 0; i < MAX_SKINS - 1; i++) await oldSkin(r, `old${i}`);
    const out = await Promise.allSettled([repo.create(r, skin('new1')), repo.create(r, skin('new2')), repo.create(r, skin('new3'))]);
    expect(out.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of out) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'TOO_MANY_SKINS' });
    expect((await db.send(new GetCommand({ TableName: T(), Key: keys.skinCount(r), ConsistentRead: true }))).Item?.count).toBe(MAX_SKINS);
    await repo.delete(r, 'old0');
    expect((await db.send(new GetCommand({ TableName: T(), Key: keys.skinCount(r), ConsistentRead: true }))).Item?.count).toBe(MAX_SKINS - 1);
  });

  it('an old skin a stored user still wears is not deleted (409 naming the users); once they leave it is', async () => {
    const r = rid();
    const skins = new DynamoSkinRepository(db, T());
    const users = new DynamoUserRepository(db, T());
    await oldSkin(r, 'legacy');
    const user = { resellerId: r, username: `web-${r}`, design: 'legacy', version: 1, status: 'enabled' } as HostedUser;
    await db.send(new PutCommand({ TableName: T(), Item: { ...keys.user(r, user.username), type: 'user', ...user } }));
    await expect(skins.delete(r, 'legacy')).rejects.toMatchObject({ code: 'SKIN_IN_USE', message: expect.stringMatching(/1 user\b/) });

    // Leaving it counts it off (-1 on a skin that never counted the user): the delete still passes.
    await users.write(r, { before: user, after: { ...user, design: 'ocean', version: 2 }, counters: { delta: {}, guards: [] }, domainsAdded: [], domainsRemoved: [], messages: [] });
    await skins.delete(r, 'legacy');
    expect(await skins.get(r, 'legacy')).toBeUndefined();
  });

  it('a user leaving a skin that is already gone is not refused; a user choosing one is (design)', async () => {
    const r = rid();
    const users = new DynamoUserRepository(db, T());
    const user = { resellerId: r, username: `web-${r}`, design: 'vanished', version: 1, status: 'enabled' } as HostedUser;
    await db.send(new PutCommand({ TableName: T(), Item: { ...keys.user(r, user.username), type: 'user', ...user } }));
    const w = (design: string, version: number) => ({
      before: { ...user, version: version - 1 },
      after: { ...user, design, version },
      counters: { delta: {}, guards: [] },
      domainsAdded: [],
      domainsRemoved: [],
      messages: [],
    });
    await expect(users.write(r, { ...w('also-gone', 2), before: user })).rejects.toMatchObject({ code: 'VALIDATION', fields: { design: expect.any(String) } });
    await users.write(r, { ...w('classic', 2), before: user });
    expect((await users.get(r, user.username))?.design).toBe('classic');
    expect((await db.send(new GetCommand({ TableName: T(), Key: keys.skin(r, 'vanished') }))).Item).toBeUndefined();
  });
});
