import { inject } from 'vitest';
import { createDocumentClient, localClientConfig, type LocalDbCredentials } from '../../shared/adapters/dynamodb/client';

/**
 * The shared runtime's DynamoDB Local for tests that reach the table directly. It keeps one
 * database per key, so every client of the runtime's data goes through the kept key given here.
 */
export const localDbCredentials = (): LocalDbCredentials => inject('dynamoCredentials');

/**
 * The environment composeFromEnv needs to work on the shared runtime's table; scrypt at N=2^10 as
 * in the test runtimes (use cases run in the test process hash every generated password).
 */
export const localDbEnv = (tableName = inject('tableName')) => ({
  IDENTITY_MODE: 'local',
  PASSWORD_HASH_COST_LOG2: '10',
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
  DYNAMODB_ACCESS_KEY_ID: localDbCredentials().accessKeyId,
  DYNAMODB_SECRET_ACCESS_KEY: localDbCredentials().secretAccessKey,
});

/** A document client on the shared runtime's DynamoDB Local, with the kept key. */
export const localDocumentClient = () => createDocumentClient(localClientConfig(inject('dynamoEndpoint'), localDbCredentials()));
