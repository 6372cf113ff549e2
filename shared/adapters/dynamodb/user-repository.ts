import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { brokenGuards } from '../../domain/controlpanel/allocation';
import type { RegistrationEmail, Template } from '../../domain/controlpanel/templates';
import { hostedUsername, type HostedUser } from '../../domain/controlpanel/users';
import { ConcurrentChangeError, ConflictError, ErrorCode, HardLimitError, ValidationError } from '../../domain/errors';
import type {
  ChangeContext,
  CreateContext,
  UserFilter,
  UserRepository,
  UserWrite,
} from '../../ports/controlpanel';
import type { Page } from '../../ports/page';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, TABLE, type Key } from './keys';
import { messageItem } from './message-log';
import { singleMessageItem } from './outbox-store';
import { webhookEventItems } from './webhook-store';
import { pendingUpdate } from './provisioning-repository';
import { toReseller } from './reseller-repository';
import { toTemplate } from './template-repository';
import { billingTransactItems } from './billing-repository';
import { skinWearItems } from './skin-repository';
import { StaleAccountError } from '../../ports/billing-repository';
import { RETRY, unitOfWork, type OnConditionFailed, type TransactItem, type UnitItem } from './unit-of-work';

type TxItem = TransactItem;
/** Usernames reserved per atomic increment of the sequence. */
const USERNAME_BLOCK = 10;

type Tagged = { item: TxItem; tag: { kind: 'profile' | 'user' | 'owner' | 'domain' | 'ip' | 'server' | 'billing' | 'other'; name?: string; field?: string } };

const USER_FIELDS = [
  'username',
  'resellerId',
  'status',
  'templateId',
  'templateName',
  'limits',
  'services',
  'frontPage',
  'frontPageLogin',
  'mysqlExternalAccess',
  'personal',
  'domains',
  'ip',
  'ssl',
  'language',
  'design',
  'passwordHash',
  'serverId',
  'mailStatus',
  'version',
  'createdAt',
  'updatedAt',
] as const;

export function toUser(item: Record<string, unknown>): HostedUser {
  return Object.fromEntries(USER_FIELDS.map((f) => [f, item[f] ?? null])) as unknown as HostedUser;
}

export function userItem(u: HostedUser): Record<string, unknown> {
  return { ...keys.user(u.resellerId, u.username), ...keys.userByStatus(u.resellerId, u.status, u.username), type: 'user', ...u };
}

export class DynamoUserRepository implements UserRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Numbers are taken from the installation-wide sequence a block at a time (one atomic ADD per
   * block): every number is handed out once and never reused; a process that ends leaves the rest
   * of its block unused, so numbers can skip.
   */
  async nextUsername(): Promise<string> {
    for (;;) {
      if (this.block.next <= this.block.last) return hostedUsername(this.block.next++);
      // One reservation at a time; concurrent creates wait for it and share the block.
      this.reserving ??= this.reserveBlock().finally(() => {
        this.reserving = undefined;
      });
      await this.reserving;
    }
  }

  private block = { next: 1, last: 0 };
  private reserving: Promise<void> | undefined;

  private async reserveBlock(): Promise<void> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.userSequence(),
        UpdateExpression: 'ADD #n :size',
        ExpressionAttributeNames: { '#n': 'next' },
        ExpressionAttributeValues: { ':size': USERNAME_BLOCK },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const last = Number(out.Attributes?.next);
    this.block = { next: last - USERNAME_BLOCK + 1, last };
  }

  private async batchGet(wanted: Key[]): Promise<Record<string, unknown>[]> {
    const out = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: wanted, ConsistentRead: true } } }),
    );
    let items = out.Responses?.[this.tableName] ?? [];
    // Unprocessed keys are rare (throttling); fetch them one by one so the answer is complete.
    const rest = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    for (const k of rest) {
      const one = await this.db.send(new GetCommand({ TableName: this.tableName, Key: k, ConsistentRead: true }));
      if (one.Item) items = [...items, one.Item];
    }
    return items;
  }

  private static find(items: Record<string, unknown>[], k: Key) {
    return items.find((i) => i.PK === k.PK && i.SK === k.SK);
  }

  async loadForCreate(resellerId: string, templateId: string | undefined, withDefaultEmail: boolean): Promise<CreateContext | undefined> {
    const profileKey = keys.reseller(resellerId);
    const templateKey = templateId ? keys.template(resellerId, templateId) : undefined;
    const emailKey = withDefaultEmail ? keys.setting(resellerId, 'registration-email') : undefined;
    const serversKey = keys.resellerServers(resellerId);
    const items = await this.batchGet([profileKey, serversKey, ...(templateKey ? [templateKey] : []), ...(emailKey ? [emailKey] : [])]);
    const profile = DynamoUserRepository.find(items, profileKey);
    if (!profile) return undefined;
    const template = templateKey ? DynamoUserRepository.find(items, templateKey) : undefined;
    const email = emailKey ? DynamoUserRepository.find(items, emailKey) : undefined;
    return {
      reseller: toReseller(profile),
      template: template ? toTemplate(template) : undefined,
      defaultEmail: email ? ({ subject: email.subject, text: email.text } as RegistrationEmail) : undefined,
      serverIds: (DynamoUserRepository.find(items, serversKey)?.serverIds as string[] | undefined) ?? [],
    };
  }

  async loadForChange(resellerId: string, username: string, templateId?: string): Promise<ChangeContext | undefined> {
    const profileKey = keys.reseller(resellerId);
    const userKey = keys.user(resellerId, username);
    const templateKey = templateId ? keys.template(resellerId, templateId) : undefined;
    const items = await this.batchGet([profileKey, userKey, ...(templateKey ? [templateKey] : [])]);
    const profile = DynamoUserRepository.find(items, profileKey);
    if (!profile) return undefined;
    const user = DynamoUserRepository.find(items, userKey);
    const template = templateKey ? DynamoUserRepository.find(items, templateKey) : undefined;
    return {
      reseller: toReseller(profile),
      user: user ? toUser(user) : undefined,
      template: template ? (toTemplate(template) as Template) : undefined,
    };
  }

  async get(resellerId: string, username: string): Promise<HostedUser | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.user(resellerId, username), ConsistentRead: true }),
    );
    return out.Item ? toUser(out.Item) : undefined;
  }

  private buildItems(resellerId: string, w: UserWrite): Tagged[] {
    const T = this.tableName;
    const items: Tagged[] = [];
    const username = (w.after ?? w.before)?.username as string;

    // 1. The reseller's counters, conditioned on the hard limits.
    const entries = Object.entries(w.counters.delta).filter(([, d]) => d !== 0);
    if (entries.length) {
      const names: Record<string, string> = { '#used': 'used' };
      if (w.counters.guards.length) names['#hard'] = 'hardLimits';
      const values: Record<string, unknown> = { ':zero': 0 };
      const sets: string[] = [];
      const conds = ['attribute_exists(PK)'];
      const idx = new Map<string, number>();
      entries.forEach(([n, d], i) => {
        idx.set(n, i);
        names[`#n${i}`] = n;
        values[`:d${i}`] = d;
        sets.push(`#used.#n${i} = if_not_exists(#used.#n${i}, :zero) + :d${i}`);
      });
      for (const g of w.counters.guards) {
        const i = idx.get(g.name) as number;
        if (g.threshold !== undefined) {
          values[`:t${i}`] = g.threshold;
          values[`:h${i}`] = g.hard;
          conds.push(`(attribute_not_exists(#used.#n${i}) OR #used.#n${i} <= :t${i})`);
          conds.push(`#hard.#n${i} = :h${i}`);
        } else {
          values[':unlimited'] = -1;
          conds.push(`(attribute_not_exists(#hard.#n${i}) OR #hard.#n${i} = :unlimited)`);
        }
      }
      items.push({
        tag: { kind: 'profile' },
        item: {
          Update: {
            TableName: T,
            Key: keys.reseller(resellerId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conds.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
      });
    }

    // 2. The user item, conditioned on its version (or on not existing yet).
    if (w.after) {
      items.push({
        tag: { kind: 'user' },
        item: {
          Put: {
            TableName: T,
            Item: userItem(w.after),
            ...(w.before
              ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': w.before.version } }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          },
        },
      });
    } else if (w.before) {
      items.push({
        tag: { kind: 'user' },
        item: {
          Delete: {
            TableName: T,
            Key: keys.user(resellerId, username),
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': w.before.version },
          },
        },
      });
    }

    // 3. The global owner record of the username (kept as a tombstone after delete: never reused).
    if (!w.before && w.after) {
      items.push({
        tag: { kind: 'owner' },
        item: {
          Put: {
            TableName: T,
            Item: { ...keys.userOwner(username), type: 'hostedOwner', resellerId, username },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      });
    } else if (w.before && !w.after) {
      items.push({
        tag: { kind: 'other' },
        item: {
          Put: { TableName: T, Item: { ...keys.userOwner(username), type: 'hostedOwner', resellerId, username, deleted: true } },
        },
      });
    }

    // 4. Domains: a global claim (unique across the installation) and the reseller-side index item.
    for (const d of w.domainsAdded) {
      items.push({
        tag: { kind: 'domain', name: d.name, field: d.field },
        item: {
          Put: {
            TableName: T,
            Item: { ...keys.domainClaim(d.name), type: 'domainClaim', resellerId, username, domain: d.name },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      });
      items.push({
        tag: { kind: 'other' },
        item: { Put: { TableName: T, Item: { ...keys.userDomain(resellerId, d.name), type: 'userDomain', username, domain: d.name } } },
      });
    }
    for (const name of w.domainsRemoved) {
      items.push({
        tag: { kind: 'other' },
        item: {
          Delete: {
            TableName: T,
            Key: keys.domainClaim(name),
            ConditionExpression: 'attribute_not_exists(PK) OR (resellerId = :r AND username = :u)',
            ExpressionAttributeValues: { ':r': resellerId, ':u': username },
          },
        },
      });
      items.push({ tag: { kind: 'other' }, item: { Delete: { TableName: T, Key: keys.userDomain(resellerId, name) } } });
    }

    // 5. The exclusive IP of the reseller's pool.
    if (w.ipAssigned) {
      items.push({
        tag: { kind: 'ip', name: w.ipAssigned },
        item: {
          Update: {
            TableName: T,
            Key: keys.poolIp(resellerId, w.ipAssigned),
            UpdateExpression: 'SET assignedTo = :u',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(assignedTo)',
            ExpressionAttributeValues: { ':u': username },
          },
        },
      });
    }
    if (w.ipReleased) {
      items.push({
        tag: { kind: 'other' },
        item: {
          Update: {
            TableName: T,
            Key: keys.poolIp(resellerId, w.ipReleased),
            UpdateExpression: 'REMOVE assignedTo',
            ConditionExpression: 'attribute_not_exists(assignedTo) OR assignedTo = :u',
            ExpressionAttributeValues: { ':u': username },
          },
        },
      });
    }
    if (w.deleteCertificate) {
      items.push({ tag: { kind: 'other' }, item: { Delete: { TableName: T, Key: keys.userCertificate(resellerId, username) } } });
    }

    // 6. Provisioning: a slot on the user's server (new users), and the status made pending with a
    //    new sequence (with its queue entry), so the worker pushes this very change.
    if (w.placement) {
      const sid = w.placement.serverId;
      items.push({
        tag: { kind: 'server', name: sid },
        item: {
          Update: {
            TableName: T,
            Key: keys.server(sid),
            UpdateExpression: 'ADD #users :one',
            ConditionExpression: 'attribute_exists(PK) AND (#cap = :unlimited OR attribute_not_exists(#users) OR #users < #cap)',
            ExpressionAttributeNames: { '#users': 'users', '#cap': 'capacity' },
            ExpressionAttributeValues: { ':one': 1, ':unlimited': -1 },
          },
        },
      });
      items.push({
        tag: { kind: 'other' },
        item: {
          Put: {
            TableName: T,
            Item: { ...keys.serverUser(sid, username), type: 'serverUser', resellerId, username, ref: `${resellerId}/${username}` },
          },
        },
      });
    }
    //    A billing suspension or resumption in the same transaction goes into that one update.
    const billingLock = w.after ? w.billing?.billingLock : undefined;
    const provision = w.provision ?? (billingLock ? { at: billingLock.at } : undefined);
    if (provision) {
      items.push({
        tag: { kind: 'other' },
        item: {
          Update: pendingUpdate(T, resellerId, username, provision.at, {
            serverId: provision.serverId,
            deleted: provision.deleted,
            ...(billingLock ? { billingLocked: billingLock.locked } : {}),
          }),
        },
      });
    }

    // 7. The message log entries that record the change.
    for (const m of w.messages) items.push({ tag: { kind: 'other' }, item: { Put: { TableName: T, Item: messageItem(resellerId, m) } } });

    // 7b. A registration e-mail queued in the outbox with the user it is for (docs/mail.md).
    if (w.outbox) {
      const item = singleMessageItem(resellerId, w.outbox, Date.parse(w.outbox.createdAt));
      items.push({ tag: { kind: 'other' }, item: { Put: { TableName: T, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } } });
    }

    // 7c. Webhook events of the change (docs/webhooks.md).
    for (const item of webhookEventItems(T, w.events)) items.push({ tag: { kind: 'other' }, item });

    // 8. The billing account re-priced for the change, at the version read.
    if (w.billing) for (const item of billingTransactItems(T, w.billing, { withLock: false })) items.push({ tag: { kind: 'billing' }, item });
    return items;
  }

  async write(resellerId: string, w: UserWrite): Promise<void> {
    // Skins found gone when the user stops wearing one (stored before skins counted their wearers).
    const gone = new Set<string>();
    await unitOfWork(this.db).run(
      () => [
        ...this.buildItems(resellerId, w).map(({ item, tag }): UnitItem => ({ ...item, onConditionFailed: this.verdict(resellerId, tag, w, (next) => (w = next)) })),
        // 9. The skin the user wears counts it (and must exist); the one it leaves counts it off.
        ...skinWearItems(this.tableName, resellerId, w.before?.design, w.after?.design, () => ValidationError.field('design', 'is neither a built-in design nor one of your skins'), gone),
      ],
      { tooLarge: () => new ConflictError('too many changes for one request', ErrorCode.TOO_MANY_CHANGES, { domains: 'too many changes in one request' }) },
    );
  }

  /** What a failed condition on a tagged item of a user write means. */
  private verdict(resellerId: string, tag: Tagged['tag'], w: UserWrite, refresh: (w: UserWrite) => void): OnConditionFailed {
    switch (tag.kind) {
      case 'profile':
        return async () => {
          const profile = await this.db.send(
            new GetCommand({ TableName: this.tableName, Key: keys.reseller(resellerId), ConsistentRead: true }),
          );
          const r = profile.Item ? toReseller(profile.Item) : undefined;
          const { over, limitsChanged, refreshed } = brokenGuards(w.counters.guards, r);
          if (Object.keys(over).length) {
            return new HardLimitError(`this would go past a hard limit: ${Object.keys(over).join(', ')}`, over);
          }
          // The operator moved a hard limit meanwhile and the change still fits: condition on the new one
          // (or the counter moved back below the threshold meanwhile).
          if (limitsChanged) refresh({ ...w, counters: { ...w.counters, guards: refreshed } });
          return RETRY;
        };
      case 'user':
        return w.before
          ? new ConcurrentChangeError('the user was changed meanwhile; reload and try again')
          : new ConflictError('username is taken', ErrorCode.USERNAME_TAKEN);
      case 'owner':
        return new ConflictError('username is taken', ErrorCode.USERNAME_TAKEN);
      case 'billing':
        return new StaleAccountError();
      case 'server':
        return new ConflictError(`hosting server ${tag.name} has no free capacity; try again`, ErrorCode.SERVER_FULL);
      case 'domain':
        return new ConflictError(`domain ${tag.name} is already in use`, ErrorCode.DOMAIN_TAKEN, { [tag.field as string]: 'is already in use' });
      case 'ip':
        return new ConflictError(`IP ${tag.name} is not free in your pool`, ErrorCode.IP_UNAVAILABLE, {
          ip: 'is not in your pool or is assigned to another user',
        });
      default:
        return new ConcurrentChangeError('the change conflicts with the current state; reload and try again');
    }
  }

  async list(resellerId: string, filter: UserFilter): Promise<Page<HostedUser>> {
    const search = filter.search ?? '';
    if (filter.domain !== undefined) return this.listByDomain(resellerId, filter);
    const byStatus = filter.status !== undefined;
    const pkName = byStatus ? TABLE.gsi1.partitionKey : TABLE.partitionKey;
    const skName = byStatus ? TABLE.gsi1.sortKey : TABLE.sortKey;
    const partition = byStatus ? keys.userStatusPartition(resellerId, filter.status as string) : keys.partitionOf(resellerId);
    const prefix = byStatus ? search : `${keys.userPrefix}${search}`;
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byStatus ? TABLE.gsi1.indexName : undefined,
        // DynamoDB refuses an empty begins_with prefix: without a search, the whole status partition.
        KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: prefix ? { '#pk': pkName, '#sk': skName } : { '#pk': pkName },
        ExpressionAttributeValues: prefix ? { ':pk': partition, ':prefix': prefix } : { ':pk': partition },
        Limit: filter.limit,
        ExclusiveStartKey: decodeCursor(filter.cursor, pkName, partition, prefix || undefined),
      }),
    );
    return { items: (out.Items ?? []).map(toUser), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** Users whose domain starts with `domain`: a key query on the DOM# items, then one BatchGet of those users. */
  private async listByDomain(resellerId: string, filter: UserFilter): Promise<Page<HostedUser>> {
    const partition = keys.partitionOf(resellerId);
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': partition, ':prefix': `${keys.userDomainPrefix}${filter.domain}` },
        Limit: filter.limit,
        ExclusiveStartKey: decodeCursor(filter.cursor, TABLE.partitionKey, partition, `${keys.userDomainPrefix}${filter.domain}`),
      }),
    );
    const usernames = [...new Set((out.Items ?? []).map((i) => String(i.username)))];
    const users = usernames.length ? (await this.batchGet(usernames.map((u) => keys.user(resellerId, u)))).map(toUser) : [];
    const items = users
      .filter((u) => (filter.status ? u.status === filter.status : true))
      .filter((u) => u.username.startsWith(filter.search ?? ''))
      .sort((a, b) => (a.username < b.username ? -1 : 1));
    return { items, nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }
}

