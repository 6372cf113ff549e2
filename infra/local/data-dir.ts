import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalDbCredentials } from '../../shared/adapters/dynamodb/client';

/** The region the local runtime's clients name; DynamoDB Local keeps one database per key id and region. */
export const LOCAL_DB_REGION = 'local';
const CREDENTIALS_FILE = 'dynamodb-credentials.json';

/**
 * $DATA_DIR owner-only: the directory 0700 and, outside the simulated servers' roots, every
 * directory 0700 and every file without group/other bits (0600, or 0700 when executable). Run on
 * every start, so a data dir made before this rule (or copied with a loose umask) is closed too.
 * The servers' roots (servers/<id>/root) keep the modes the provisioning script gives them
 * (a certificate 0644 beside its key 0600): they model a real server, and the 0700 parents
 * already keep other local users out.
 */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const walk = (path: string, inServers: boolean) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (!st.isDirectory()) return chmodSync(path, st.mode & 0o100 ? 0o700 : 0o600);
    chmodSync(path, 0o700);
    if (inServers) return; // servers/<id>: its root inside keeps the script's modes
    for (const name of readdirSync(path)) walk(join(path, name), path === join(dataDir, 'servers'));
  };
  walk(dataDir, false);
}

/**
 * The access key id and secret of the runtime's DynamoDB Local, generated on the first start and
 * kept in $DATA_DIR/dynamodb-credentials.json (0600). DynamoDB Local runs without -sharedDb, so it
 * keeps one database per key id and region: a client with any other key sees an empty database of
 * its own. A data dir from before this (one shared-local-instance.db) is moved to the new key's file.
 */
export function loadOrCreateDbCredentials(dataDir: string, dbPath?: string): LocalDbCredentials {
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalDbCredentials>;
    if (typeof kept.accessKeyId !== 'string' || !/^[A-Z0-9]{20,}$/.test(kept.accessKeyId) || typeof kept.secretAccessKey !== 'string') {
      // Never replace it: a new key would hide the whole database.
      throw new Error(`${file} does not hold DynamoDB Local credentials; restore it or move the data dir away`);
    }
    return { accessKeyId: kept.accessKeyId, secretAccessKey: kept.secretAccessKey };
  }
  const creds: LocalDbCredentials = {
    // Key ids name DynamoDB Local's database file, so letters and digits only.
    accessKeyId: `RP${randomBytes(15).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  const shared = dbPath && join(dbPath, 'shared-local-instance.db');
  if (shared && existsSync(shared)) renameSync(shared, join(dbPath, `${creds.accessKeyId}_${LOCAL_DB_REGION}.db`));
  return creds;
}
