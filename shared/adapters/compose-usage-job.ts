import { randomUUID } from 'node:crypto';
import { systemClock } from '../ports/clock';
import { DynamoBillingRepository } from './dynamodb/billing-repository';
import { DynamoServerRepository } from './dynamodb/server-repository';
import { tableFromEnv } from './dynamodb/table-from-env';
import { DynamoUsageRepository } from './dynamodb/usage-repository';

/**
 * Just what the usage job needs (table, billing, servers, usage): the control panel's SES and KMS
 * clients stay out of its bundle, which carries the SSM and CloudWatch Logs clients instead.
 */
export function composeUsageJob(env: Record<string, string | undefined>) {
  const { db, tableName } = tableFromEnv(env);
  return {
    clock: systemClock,
    newId: () => randomUUID().replace(/-/g, '').slice(0, 20),
    billing: new DynamoBillingRepository(db, tableName),
    servers: new DynamoServerRepository(db, tableName),
    usage: new DynamoUsageRepository(db, tableName),
  };
}
