import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The document client every repository receives. Numbers we store are counters and limits
 * (safe integers); money is stored as decimal strings, never as DynamoDB numbers.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(config);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/** The key of the embedded runtime's DynamoDB Local, kept in $DATA_DIR (infra/local/data-dir.ts). */
export interface LocalDbCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A client of the embedded runtime's DynamoDB Local. It runs without -sharedDb, so the key id
 * chooses the database: only the runtime's kept key sees the runtime's tables.
 */
export function localClientConfig(endpoint: string, credentials: LocalDbCredentials): DynamoDBClientConfig {
  return { endpoint, region: 'local', credentials, maxAttempts: 5 };
}
