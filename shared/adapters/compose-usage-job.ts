import { randomUUID } from 'node:crypto';
import { systemClock } from '../ports/clock';
import { DynamoBillingRepository } from './dynamodb/billing-repository';
import { DynamoMessageLog } from './dynamodb/message-log';
import { DynamoRunStore } from './dynamodb/run-store';
import { DynamoServerRepository } from './dynamodb/server-repository';
import { tableFromEnv } from './dynamodb/table-from-env';
import { DynamoUsageRepository } from './dynamodb/usage-repository';
import { SqsWorkQueue } from './sqs/sqs-work-queue';
import { metricsFromEnv } from './metrics/emf-metrics';

/**
 * Just what the usage functions need (table, runs, queue, servers, usage, message log): the control
 * panel's SES and KMS clients stay out of their bundles, which carry the SSM, CloudWatch Logs and
 * SQS clients instead.
 */
export function composeUsageJob(env: Record<string, string | undefined>) {
  const { db, tableName } = tableFromEnv(env);
  return {
    clock: systemClock,
    newId: () => randomUUID().replace(/-/g, '').slice(0, 20),
    billing: new DynamoBillingRepository(db, tableName),
    servers: new DynamoServerRepository(db, tableName),
    usage: new DynamoUsageRepository(db, tableName),
    runs: new DynamoRunStore(db, tableName),
    messages: new DynamoMessageLog(db, tableName),
    queue: new SqsWorkQueue(env),
    metrics: metricsFromEnv(env),
  };
}
