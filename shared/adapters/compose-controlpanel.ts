import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ControlPanelPorts } from '../app/controlpanel/deps';
import type { KeyCipher } from '../ports/key-cipher';
import { NodeX509 } from './crypto/node-x509';
import { DynamoCertificateStore } from './dynamodb/certificate-store';
import { DynamoIpPoolRepository } from './dynamodb/ip-pool-repository';
import { DynamoSettingsRepository, DynamoTemplateRepository } from './dynamodb/template-repository';
import { DynamoUserRepository } from './dynamodb/user-repository';
import { KmsCipher } from './kms/kms-cipher';
import { LocalCipher } from './local/local-cipher';
import { hashPassword } from './local/password-hash';
import { SesMailer } from './ses/ses-mailer';

type Env = Record<string, string | undefined>;

/**
 * The control panel's adapters from the environment:
 * - SES: `SES_ENDPOINT` (the local SES of the embedded runtime) or the region's SES; sender `MAIL_FROM`.
 *   The client has request and connection time-outs: aws-ses-v2-local does not answer some actions.
 * - Private keys: KMS envelope encryption with `KMS_KEY_ID`; otherwise, in the embedded runtime, an
 *   AES-256-GCM key file under `$DATA_DIR/keys/`. With neither, encryption fails (nothing is stored).
 */
export function controlPanelFromEnv(env: Env, db: DynamoDBDocumentClient, tableName: string): ControlPanelPorts {
  const local = env.SES_ENDPOINT
    ? { endpoint: env.SES_ENDPOINT, region: env.AWS_REGION ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
  const ses = new SESClient({ ...local, maxAttempts: 2, requestHandler: { requestTimeout: 5000, connectionTimeout: 2000 } });
  return {
    templates: new DynamoTemplateRepository(db, tableName),
    settings: new DynamoSettingsRepository(db, tableName),
    users: new DynamoUserRepository(db, tableName),
    ipPool: new DynamoIpPoolRepository(db, tableName),
    certificates: new DynamoCertificateStore(db, tableName),
    mailer: new SesMailer(ses, env.MAIL_FROM ?? 'no-reply@reseller-panel.example'),
    keyCipher: keyCipherFromEnv(env),
    x509: new NodeX509(),
    hashPassword: (pw) => hashPassword(pw),
  };
}

function keyCipherFromEnv(env: Env): KeyCipher {
  if (env.KMS_KEY_ID) return new KmsCipher(new KMSClient({}), env.KMS_KEY_ID);
  if (env.DATA_DIR) {
    let cipher: LocalCipher | undefined;
    const get = () => (cipher ??= LocalCipher.loadOrCreate(join(env.DATA_DIR as string, 'keys', 'private-keys.aes256')));
    return { encrypt: (p, c) => get().encrypt(p, c), decrypt: (t, c) => get().decrypt(t, c) };
  }
  const missing = async (): Promise<never> => {
    throw new Error('no key cipher configured: set KMS_KEY_ID (or DATA_DIR for the embedded runtime)');
  };
  return { encrypt: missing, decrypt: missing };
}
