import { createDocumentClient, localClientConfig } from './client';

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

/** The document client on the table of the environment, counting its round trips (benchmarks read them). */
export function tableFromEnv(env: Env) {
  const tableName = required(env, 'TABLE_NAME');
  // DYNAMODB_ENDPOINT only in the embedded runtime, with the key it keeps in $DATA_DIR.
  const db = createDocumentClient(
    env.DYNAMODB_ENDPOINT
      ? localClientConfig(env.DYNAMODB_ENDPOINT, {
          accessKeyId: required(env, 'DYNAMODB_ACCESS_KEY_ID'),
          secretAccessKey: required(env, 'DYNAMODB_SECRET_ACCESS_KEY'),
        })
      : {},
  );
  const roundTrips = { count: 0, byCommand: {} as Record<string, number> };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      roundTrips.count++;
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      roundTrips.byCommand[name] = (roundTrips.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRoundTrips' },
  );
  return { db, tableName, roundTrips };
}
