/**
 * The only place that knows how items are keyed in the single table. The CDK stack and the local
 * runtime build the table from TABLE, so names cannot drift.
 *
 * Every item of a reseller's world has a partition key that starts with `R#<resellerId>`, so IAM
 * (dynamodb:LeadingKeys) and code can both enforce isolation. A few items are global by nature:
 * login names, the hosted-user number sequence, and the operator's index of resellers.
 */
export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  gsi1: { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
} as const;

export interface Key {
  PK: string;
  SK: string;
}

const R = (resellerId: string) => `R#${resellerId}`;

export const keys = {
  /** A login name, global across the installation: operator, resellers. */
  login: (username: string): Key => ({ PK: `LOGIN#${username}`, SK: 'LOGIN' }),

  reseller: (resellerId: string): Key => ({ PK: R(resellerId), SK: 'PROFILE' }),
  /** GSI1 entry that lists resellers for the operator, ordered by username. */
  resellerIndex: (username: string) => ({ GSI1PK: 'RESELLERS', GSI1SK: username }),
  resellerIndexPartition: 'RESELLERS',

  /** The message log: all types in the table, one type at a time through GSI1. */
  messagePartition: (resellerId: string) => `${R(resellerId)}#MSG`,
  message: (resellerId: string, at: string, id: string): Key => ({
    PK: `${R(resellerId)}#MSG`,
    SK: `${at}#${id}`,
  }),
  messageByType: (resellerId: string, type: string, at: string, id: string) => ({
    GSI1PK: `${R(resellerId)}#MSG#${type}`,
    GSI1SK: `${at}#${id}`,
  }),
  messageTypePartition: (resellerId: string, type: string) => `${R(resellerId)}#MSG#${type}`,

  /** Templates (service packages) of a reseller. */
  template: (resellerId: string, templateId: string): Key => ({ PK: R(resellerId), SK: `TPL#${templateId}` }),
  templatePrefix: 'TPL#',

  /** Hosted users: web<N>, numbered from one installation-wide sequence and never reused. */
  user: (resellerId: string, username: string): Key => ({ PK: R(resellerId), SK: `USER#${username}` }),
  userPrefix: 'USER#',
  userSequence: (): Key => ({ PK: 'SEQ#users', SK: 'SEQ' }),
  /** Global owner record of a hosted username, so the operator and agents can find its reseller. */
  userOwner: (username: string): Key => ({ PK: `HOSTED#${username}`, SK: 'OWNER' }),

  /**
   * Usage figures (the daily usage job), kept after the user is deleted (the Traffic page counts
   * deleted users' traffic): one item per user and day (the day's users by a key query), one item
   * per user and month with one attribute per day (`d01`..`d31`: the user's detail in one read), and
   * one item per reseller and month with the day totals, recomputed from the day's user items.
   */
  userUsageDay: (resellerId: string, day: string, username: string): Key => ({ PK: R(resellerId), SK: `USAGE#D#${day}#${username}` }),
  usageDayPrefix: (day: string) => `USAGE#D#${day}#`,
  userUsageMonth: (resellerId: string, username: string, month: string): Key => ({
    PK: R(resellerId),
    SK: `USAGE#U#${username}#${month}`,
  }),
  resellerUsageMonth: (resellerId: string, month: string): Key => ({ PK: R(resellerId), SK: `USAGE#R#${month}` }),
  resellerUsagePrefix: 'USAGE#R#',

  /** Domains are unique installation-wide; the reseller-side item lists them per user. */
  domainClaim: (domain: string): Key => ({ PK: `DOMAIN#${domain}`, SK: 'CLAIM' }),
  userDomain: (resellerId: string, domain: string): Key => ({ PK: R(resellerId), SK: `DOM#${domain}` }),
  userDomainPrefix: 'DOM#',

  /** Hosted users by status through GSI1 (ordered by username): the users list's status filter. */
  userByStatus: (resellerId: string, status: string, username: string) => ({
    GSI1PK: `${R(resellerId)}#USERS#${status}`,
    GSI1SK: username,
  }),
  userStatusPartition: (resellerId: string, status: string) => `${R(resellerId)}#USERS#${status}`,

  /** The reseller's pool of exclusive IP addresses (given by the operator); `assignedTo` names the user. */
  poolIp: (resellerId: string, ip: string): Key => ({ PK: R(resellerId), SK: `IP#${ip}` }),
  poolIpPrefix: 'IP#',
  /** Global claim of an IP address, so no two resellers are given the same one. */
  ipClaim: (ip: string): Key => ({ PK: `IPADDR#${ip}`, SK: 'CLAIM' }),

  /** A hosted user's own SSL certificate (the private key encrypted through the KeyCipher). */
  userCertificate: (resellerId: string, username: string): Key => ({ PK: R(resellerId), SK: `CERT#${username}` }),

  /** Control-panel settings of a reseller: the default registration e-mail, free-field labels. */
  setting: (resellerId: string, name: string): Key => ({ PK: R(resellerId), SK: `SETTING#${name}` }),

  /** A template's billing plan (the plan edit wizard) with its price-change history. */
  plan: (resellerId: string, templateId: string): Key => ({ PK: R(resellerId), SK: `PLAN#${templateId}` }),
  /** A hosted user's billing account: state, balance, version. */
  billingAccount: (resellerId: string, username: string): Key => ({ PK: R(resellerId), SK: `BILLACCT#${username}` }),
  /**
   * Billing accounts spread over a few GSI1 partitions, so the daily job can list them all by
   * key queries (no Scan) without one hot partition.
   */
  billingShard: (resellerId: string, username: string, shards: number) => {
    let h = 0;
    for (const c of `${resellerId}#${username}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return { GSI1PK: `BILLING#${h % shards}`, GSI1SK: `${resellerId}#${username}` };
  },
  billingShardPartition: (shard: number) => `BILLING#${shard}`,
  /** Immutable ledger lines of one account, ordered by their deterministic id (date first). */
  ledgerPartition: (resellerId: string, username: string) => `${R(resellerId)}#LEDGER#${username}`,
  ledgerLine: (resellerId: string, username: string, lineId: string): Key => ({
    PK: `${R(resellerId)}#LEDGER#${username}`,
    SK: lineId,
  }),

  /**
   * A payment's or adjustment's reference, claimed once for the life of the account (usernames are
   * never reused): holds the line it wrote, so a repeat answers with that line.
   */
  billingReference: (resellerId: string, username: string, kind: string, reference: string): Key => ({
    PK: R(resellerId),
    SK: `BILLREF#${username}#${kind}#${reference}`,
  }),

  /**
   * Managed hosting servers (global, operator-only): one partition per server holding its profile,
   * the resellers assigned to it (`RESELLER#`) and the hosted users placed on it (`USER#`), so a
   * whole server can be re-pushed by a key query. Listed for the operator through GSI1 `SERVERS`.
   */
  server: (serverId: string): Key => ({ PK: `SERVER#${serverId}`, SK: 'SERVER' }),
  serverIndex: (serverId: string) => ({ GSI1PK: 'SERVERS', GSI1SK: serverId }),
  serverIndexPartition: 'SERVERS',
  serverPartition: (serverId: string) => `SERVER#${serverId}`,
  serverReseller: (serverId: string, resellerId: string): Key => ({ PK: `SERVER#${serverId}`, SK: `RESELLER#${resellerId}` }),
  serverResellerPrefix: 'RESELLER#',
  serverUser: (serverId: string, username: string): Key => ({ PK: `SERVER#${serverId}`, SK: `USER#${username}` }),
  serverUserPrefix: 'USER#',
  /** A server's push lease (holder, until): one provisioning command in flight per server. */
  serverPushLease: (serverId: string): Key => ({ PK: `SERVER#${serverId}`, SK: 'PUSHLEASE' }),
  /** The servers a reseller is assigned to (ordered list in one item of the reseller's partition). */
  resellerServers: (resellerId: string): Key => ({ PK: R(resellerId), SK: 'SERVERS' }),

  /**
   * Provisioning status of a hosted user (sequence, pending/applied/failed, last error, attempts).
   * Written in the same transaction as every change of the user. While pending or failed-and-retrying
   * it carries a sparse GSI1 entry `PROV#<shard>` / `<nextAttemptAt>#<resellerId>#<username>`, so the
   * worker finds what is due by key queries (no Scan); applied (or failed for good) removes it.
   */
  provisioning: (resellerId: string, username: string): Key => ({ PK: R(resellerId), SK: `PROV#${username}` }),
  provisioningPrefix: 'PROV#',
  provisioningShards: 4,
  provisioningQueue: (resellerId: string, username: string, dueAt: string) => {
    let h = 0;
    for (const c of `${resellerId}#${username}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return { GSI1PK: `PROV#${h % 4}`, GSI1SK: `${dueAt}#${resellerId}#${username}` };
  },
  provisioningQueuePartition: (shard: number) => `PROV#${shard}`,

  /** A reseller's custom skins (the Settings menu's skin editor). */
  skin: (resellerId: string, name: string): Key => ({ PK: R(resellerId), SK: `SKIN#${name}` }),
  skinPrefix: 'SKIN#',
  /**
   * How many skins the reseller keeps (`count`), written in every create's and delete's own
   * transaction and conditioned on the limit. A skin item counts its users in `wearers`, changed in
   * the users' own transactions (shared/adapters/dynamodb/skin-repository.ts).
   */
  skinCount: (resellerId: string): Key => ({ PK: R(resellerId), SK: 'SKINCOUNT' }),

  /**
   * Runs of background work (billing days, usage collection, server pushes): one header per run,
   * listed for the operator through GSI1 `RUNS` (newest day first). The counts live in
   * `runCounterShards` counter items, one partition each with the markers of the units (and planning
   * parts) counted there, so concurrent workers never write one hot item and a unit counts once.
   */
  run: (runId: string): Key => ({ PK: `RUN#${runId}`, SK: 'RUN' }),
  runIndex: (day: string, kind: string, runId: string) => ({ GSI1PK: 'RUNS', GSI1SK: `${day}#${kind}#${runId}` }),
  runIndexPartition: 'RUNS',
  runCounterShards: 16,
  runCounter: (runId: string, shard: number): Key => ({ PK: `RUN#${runId}#${shard}`, SK: 'COUNT' }),
  runUnit: (runId: string, shard: number, unit: string): Key => ({ PK: `RUN#${runId}#${shard}`, SK: `U#${unit}` }),
  runPart: (runId: string, shard: number, part: string): Key => ({ PK: `RUN#${runId}#${shard}`, SK: `P#${part}` }),

  /**
   * Billing accounts due on a day: one item per account and due day, written in the account's own
   * transaction whenever its next due day changes; never rewritten afterwards (DynamoDB's TTL takes
   * it two weeks after the day), so the planner of a day reads a list that does not move under it.
   * Spread over `billingDueShards` partitions per day (the planner plans each shard as one part).
   */
  billingDueShards: 16,
  billingDue: (day: string, shard: number, resellerId: string, username: string): Key => ({
    PK: `DUE#${day}#${shard}`,
    SK: `${resellerId}#${username}`,
  }),
  billingDuePartition: (day: string, shard: number) => `DUE#${day}#${shard}`,
  /** The due-shard (same hash as the run counters: a batch's outcomes touch one counter). */
  billingDueShardOf: (resellerId: string, username: string) => shardOf(`${resellerId}/${username}`, 16),
  /**
   * Marker of a billing plan's page `page` of a due-shard having been enqueued (its continuation is
   * sent once even when the page before it is delivered twice). Kept by TTL like the due items.
   */
  billingPlanPage: (runId: string, shard: number, page: number): Key => ({ PK: `DUEPLAN#${runId}#${shard}`, SK: `PAGE#${page}` }),

  /**
   * The embedded runtime's durable work queue (never used on AWS, where SQS holds messages): one
   * partition per queue; visible messages through GSI1 ordered by the time they become visible.
   */
  queueMessage: (queue: string, id: string): Key => ({ PK: `QUEUE#${queue}`, SK: `MSG#${id}` }),
  queueVisibility: (queue: string, visibleAt: string, id: string) => ({ GSI1PK: `QUEUE#${queue}`, GSI1SK: `${visibleAt}#${id}` }),
  queueVisibilityPartition: (queue: string) => `QUEUE#${queue}`,
  queueDeadLetter: (queue: string, id: string): Key => ({ PK: `QUEUEDLQ#${queue}`, SK: `MSG#${id}` }),
  queueDeadLetterPartition: (queue: string) => `QUEUEDLQ#${queue}`,
  /**
   * API clients (issue 11): listed under the reseller, and found by client id alone through a
   * global item (the token endpoint and the gate of every client request know only the id). Both
   * are written and deleted in one transaction.
   */
  apiClient: (resellerId: string, clientId: string): Key => ({ PK: R(resellerId), SK: `APICLIENT#${clientId}` }),
  apiClientPrefix: 'APICLIENT#',
  apiClientById: (clientId: string): Key => ({ PK: `APICLIENT#${clientId}`, SK: 'CLIENT' }),
  /** Sign-in attempts of one username or source address in its current window (shared/domain/login-throttle.ts). */
  loginAttempts: (scope: 'username' | 'address', subject: string): Key => ({
    PK: `THROTTLE#login#${scope}#${subject}`,
    SK: 'ATTEMPTS',
  }),

  /**
   * The outbox (docs/mail.md). Single messages (registration e-mails) in the reseller's mail
   * partition; a circular in the reseller's partition (ids sort by time: newest first), its
   * recipients and its fan-out pages in a partition of the circular's own, and its failures in a
   * sparse GSI1 partition, so GET /circulars/{id} lists them by a key query.
   */
  mailMessage: (resellerId: string, messageId: string): Key => ({ PK: `${R(resellerId)}#MAIL`, SK: `MSG#${messageId}` }),
  circular: (resellerId: string, circularId: string): Key => ({ PK: R(resellerId), SK: `CIRC#${circularId}` }),
  circularPrefix: 'CIRC#',
  /** Subject, text and the users left out: kept apart so the counters item the senders update stays small. */
  circularBody: (resellerId: string, circularId: string): Key => ({ PK: `${R(resellerId)}#CIRC#${circularId}`, SK: 'BODY' }),
  circularRecipient: (resellerId: string, circularId: string, username: string): Key => ({
    PK: `${R(resellerId)}#CIRC#${circularId}`,
    SK: `RCPT#${username}`,
  }),
  circularPage: (resellerId: string, circularId: string, page: number): Key => ({
    PK: `${R(resellerId)}#CIRC#${circularId}`,
    SK: `PAGE#${String(page).padStart(6, '0')}`,
  }),
  circularFailure: (resellerId: string, circularId: string, username: string) => ({
    GSI1PK: `${R(resellerId)}#CIRC#${circularId}#FAILED`,
    GSI1SK: username,
  }),
  circularFailurePartition: (resellerId: string, circularId: string) => `${R(resellerId)}#CIRC#${circularId}#FAILED`,
  /** A reseller's circular mails counted per UTC day, for MAIL_DAILY_CAP_PER_RESELLER (kept a few days by TTL). */
  mailDay: (resellerId: string, day: string): Key => ({ PK: R(resellerId), SK: `MAILDAY#${day}` }),

  /**
   * Idempotency-Key records (docs/api.md): one partition per tenant (a reseller; the operator's is
   * `operatorIdempotencyKey`), one item per key by the key's hash (the key itself is not stored);
   * DynamoDB's TTL (`expiresAt`) takes them after 24 h and reads check the expiry on the clock port.
   */
  idempotencyKey: (resellerId: string, keyHash: string): Key => ({ PK: `${R(resellerId)}#IDEM`, SK: `KEY#${keyHash}` }),
  operatorIdempotencyKey: (keyHash: string): Key => ({ PK: 'OPERATOR#IDEM', SK: `KEY#${keyHash}` }),
  /**
   * Webhooks (docs/webhooks.md). Endpoints in the reseller's partition; each event in a partition
   * of its own (written in the transaction of the change it reports), listed on the sparse GSI1
   * `WHPUB#<shard>` until it is fanned out (the sweeper's index); per endpoint one partition with
   * a delivery item per event and an item per HTTP attempt (newest first by time).
   */
  webhook: (resellerId: string, webhookId: string): Key => ({ PK: R(resellerId), SK: `WEBHOOK#${webhookId}` }),
  webhookPrefix: 'WEBHOOK#',
  /** How many endpoints the reseller has (changed with each one, conditioned on the maximum). */
  webhookCount: (resellerId: string): Key => ({ PK: R(resellerId), SK: 'WEBHOOKCOUNT' }),
  webhookEvent: (resellerId: string, eventId: string): Key => ({ PK: `${R(resellerId)}#WHEVT#${eventId}`, SK: 'EVENT' }),
  webhookPublishShards: 4,
  webhookUnpublished: (shard: number, createdIso: string, resellerId: string, eventId: string) => ({
    GSI1PK: `WHPUB#${shard}`,
    GSI1SK: `${createdIso}#${resellerId}#${eventId}`,
  }),
  webhookUnpublishedPartition: (shard: number) => `WHPUB#${shard}`,
  webhookDeliveryPartition: (resellerId: string, webhookId: string) => `${R(resellerId)}#WH#${webhookId}`,
  webhookDelivery: (resellerId: string, webhookId: string, eventId: string): Key => ({ PK: `${R(resellerId)}#WH#${webhookId}`, SK: `DLV#${eventId}` }),
  webhookAttempt: (resellerId: string, webhookId: string, at: string, eventId: string, attempt: number): Key => ({
    PK: `${R(resellerId)}#WH#${webhookId}`,
    SK: `ATT#${at}#${eventId}#${String(attempt).padStart(4, '0')}`,
  }),
  webhookAttemptPrefix: 'ATT#',

  partitionOf: R,
} as const;

/** A stable shard in [0, shards) for a string (the same account always lands in the same shard). */
export function shardOf(value: string, shards: number): number {
  let h = 0;
  for (const c of value) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % shards;
}
