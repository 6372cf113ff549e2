import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { KeyCipher } from '../../ports/key-cipher';

/**
 * Envelope encryption with KMS: a fresh AES-256 data key per secret from GenerateDataKey, the
 * secret sealed locally with AES-256-GCM, and only the KMS-encrypted data key stored next to it.
 * The context is the KMS encryption context (and GCM additional data), so a ciphertext copied to
 * another user's item does not decrypt. Works for secrets of any size (KMS Encrypt stops at 4 KB).
 */
export class KmsCipher implements KeyCipher {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: Buffer, context: Record<string, string>): Promise<string> {
    const dk = await this.kms.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    if (!dk.Plaintext || !dk.CiphertextBlob) throw new Error('KMS returned no data key');
    const key = Buffer.from(dk.Plaintext);
    try {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(JSON.stringify(sorted(context))));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return ['kms1', Buffer.from(dk.CiphertextBlob).toString('base64'), iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
    } finally {
      key.fill(0);
    }
  }

  async decrypt(ciphertext: string, context: Record<string, string>): Promise<Buffer> {
    const [v, edk, iv, tag, ct] = ciphertext.split('.');
    if (v !== 'kms1' || !edk || !iv || !tag || !ct) throw new Error('not a kms1 ciphertext');
    const dk = await this.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(edk, 'base64'), EncryptionContext: context }));
    const key = Buffer.from(dk.Plaintext as Uint8Array);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(JSON.stringify(sorted(context))));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]);
    } finally {
      key.fill(0);
    }
  }
}

export const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
