import { inject } from 'vitest';
import { createDocumentClient, localClientConfig, type LocalDbCredentials } from '../../shared/adapters/dynamodb/client';

/**
 * The shared runtime's DynamoDB Local for tests that reach the table directly. It keeps one
 * database per key, so every client of the runtime's data goes through the kept key given here.
 */
export const localDbCredentials = (): LocalDbCredentials => inject('dynamoCredentials');

/** The environment composeFromEnv needs to work on the shared runtime's table. */
export const localDbEnv = (tableName = inject('tableName')) => ({
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
  DYNAMODB_ACCESS_KEY_ID: localDbCredentials().accessKeyId,
  DYNAMODB_SECRET_ACCESS_KEY: localDbCredentials().secretAccessKey,
});

/** A document client on the shared runtime's DynamoDB Local, with the kept key. */
export const localDocumentClient = () => createDocumentClient(localClientConfig(inject('dynamoEndpoint'), localDbCredentials()));
