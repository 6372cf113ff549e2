import { describe, expect, inject, it } from 'vitest';
import { localDocumentClient } from '../../support/local-db';
import { DynamoResellerRepository } from '../../../shared/adapters/dynamodb/reseller-repository';
import { DynamoUserRepository } from '../../../shared/adapters/dynamodb/user-repository';
import { allocationDelta, counterChange } from '../../../shared/domain/controlpanel/allocation';
import { fullLimits, fullServices } from '../../../shared/domain/controlpanel/services';
import type { HostedUser } from '../../../shared/domain/controlpanel/users';
import { HardLimitError } from '../../../shared/domain/errors';
import { resolveFeatures, type Reseller } from '../../../shared/domain/reseller';

const db = localDocumentClient;

async function reseller(hard: Record<string, number>): Promise<Reseller> {
  const resellers = new DynamoResellerRepository(db(), inject('tableName'));
  const id = `r${Math.random().toString(16).slice(2, 12).padEnd(20, '0')}`;
  const r: Reseller = {
    id,
    username: `it${id.slice(1, 11)}`,
    email: 'it@example.com',
    status: 'active',
    limits: {},
    hardLimits: hard,
    features: resolveFeatures(undefined),
    preferences: { language: 'en', design: 'default' },
    used: {},
    createdAt: 'x',
    updatedAt: 'x',
  };
  await resellers.create(r, { username: r.username, role: 'reseller', resellerId: id, locked: false });
  return r;
}

const user = (resellerId: string, username: string, storageMb: number): HostedUser => ({
  username,
  resellerId,
  status: 'enabled',
  templateId: null,
  templateName: null,
  limits: fullLimits({ storageMb }),
  services: fullServices(),
  frontPage: false,
  mysqlExternalAccess: false,
  personal: { firstName: 'A', lastName: 'B', email: 'a@b.example', showOnHomePage: [] },
  domains: [],
  ip: null,
  ssl: null,
  language: 'en',
  design: 'default',
  passwordHash: 'x',
  version: 1,
  createdAt: 'x',
  updatedAt: 'x',
});

describe('DynamoUserRepository on DynamoDB Local', () => {
  it('conditions from the hard limits stop concurrent writers built from the same stale read', async () => {
    const r = await reseller({ storageMb: 100 });
    const repo = new DynamoUserRepository(db(), inject('tableName'));
    // Every writer read the profile when it was empty: only the transaction conditions can stop them.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, async () => {
        const u = user(r.id, await repo.nextUsername(), 30);
        const counters = counterChange(allocationDelta(undefined, u.limits), r);
        await repo.write(r.id, { after: u, counters, domainsAdded: [], domainsRemoved: [], messages: [] });
      }),
    );
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(rejected.every((x) => x.reason instanceof HardLimitError)).toBe(true);
    const ctx = await repo.loadForCreate(r.id, undefined, false);
    expect(ctx?.reseller.used).toEqual({ users: 3, storageMb: 90 });
    const page = await repo.list(r.id, { limit: 100 });
    expect(page.items).toHaveLength(3);
  });

  it('a hard limit lowered after the read is still respected', async () => {
    const r = await reseller({ users: 5 });
    const repo = new DynamoUserRepository(db(), inject('tableName'));
    const counters = counterChange({ users: 1 }, r);
    await new DynamoResellerRepository(db(), inject('tableName')).update(r.id, { hardLimits: { users: 0 } }, new Date());
    const u = user(r.id, await repo.nextUsername(), 0);
    await expect(repo.write(r.id, { after: u, counters, domainsAdded: [], domainsRemoved: [], messages: [] })).rejects.toBeInstanceOf(HardLimitError);
    expect(await repo.get(r.id, u.username)).toBeUndefined();
  });
});
