import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ControlPanelPorts } from '../app/controlpanel/deps';
import type { KeyCipher } from '../ports/key-cipher';
import type { Mailer, SentMailLookup } from '../ports/mailer';
import type { PrivateKeyStore } from '../ports/private-key-store';
import { NodeX509 } from './crypto/node-x509';
import { DynamoOutboxStore } from './dynamodb/outbox-store';
import { mailSettingsFromEnv } from '../app/mail/deps';
import { DynamoCertificateStore } from './dynamodb/certificate-store';
import { DynamoIpPoolRepository } from './dynamodb/ip-pool-repository';
import { DynamoSettingsRepository, DynamoTemplateRepository } from './dynamodb/template-repository';
import { DynamoUserRepository } from './dynamodb/user-repository';
import { hashPassword } from './local/password-hash';

/** A port this function was built without: a clear failure if it is ever asked (it names where it lives). */
export function absentPort<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_t, name) =>
      name === 'then' ? undefined : () => Promise.reject(new Error(`${port}.${String(name)} is not composed into this function (see functions/http/lambdas.ts)`)),
  });
}

/**
 * The control panel's adapters. The mailer (SES) and the key cipher (KMS) come from the caller
 * (ses/mailer-from-env.ts, kms/key-cipher-from-env.ts): only the functions that need them import
 * those clients, the others get an absent port.
 */
export function controlPanelFromEnv(
  db: DynamoDBDocumentClient,
  tableName: string,
  parts: { mailer?: Mailer; sentMail?: SentMailLookup; keyCipher?: KeyCipher; privateKeys?: PrivateKeyStore; env?: Record<string, string | undefined> } = {},
): ControlPanelPorts {
  return {
    templates: new DynamoTemplateRepository(db, tableName),
    settings: new DynamoSettingsRepository(db, tableName),
    users: new DynamoUserRepository(db, tableName),
    ipPool: new DynamoIpPoolRepository(db, tableName),
    certificates: new DynamoCertificateStore(db, tableName),
    mailer: parts.mailer ?? absentPort<Mailer>('mailer'),
    ...(parts.sentMail ? { sentMail: parts.sentMail } : {}),
    keyCipher: parts.keyCipher ?? absentPort<KeyCipher>('keyCipher'),
    outbox: new DynamoOutboxStore(db, tableName),
    mailSettings: mailSettingsFromEnv(parts.env ?? {}),
    privateKeys: parts.privateKeys ?? absentPort<PrivateKeyStore>('privateKeys'),
    x509: new NodeX509(),
    hashPassword: (pw) => hashPassword(pw),
  };
}
