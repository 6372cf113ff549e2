import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SsmJsonClient } from '../ssm/ssm-json-client';
import type { KeyCipher } from '../../ports/key-cipher';

/**
 * Envelope encryption with KMS: a fresh AES-256 data key per secret from GenerateDataKey, the
 * secret sealed locally with AES-256-GCM, and only the KMS-encrypted data key stored next to it.
 * The context is the KMS encryption context (and GCM additional data), so a ciphertext copied to
 * another user's item does not decrypt. Works for secrets of any size (KMS Encrypt stops at 4 KB).
 * The two KMS calls go over the same signed JSON 1.1 client as Parameter Store (ssm-json-client.ts):
 * @aws-sdk/client-kms added about 28 KB to each function that holds keys, the users function's last room.
 */
export class KmsCipher implements KeyCipher {
  constructor(
    private readonly kms: Pick<SsmJsonClient, 'call'>,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: Buffer, context: Record<string, string>): Promise<string> {
    const dk = await this.kms.call('GenerateDataKey', { KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context });
    if (typeof dk.Plaintext !== 'string' || typeof dk.CiphertextBlob !== 'string') throw new Error('KMS returned no data key');
    const key = Buffer.from(dk.Plaintext, 'base64');
    try {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(JSON.stringify(sorted(context))));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return ['kms1', dk.CiphertextBlob, iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
    } finally {
      key.fill(0);
    }
  }

  async decrypt(ciphertext: string, context: Record<string, string>): Promise<Buffer> {
    const [v, edk, iv, tag, ct] = ciphertext.split('.');
    if (v !== 'kms1' || !edk || !iv || !tag || !ct) throw new Error('not a kms1 ciphertext');
    // JSON 1.1 carries blobs as base64 strings: the stored data key is sent as it is.
    const dk = await this.kms.call('Decrypt', { CiphertextBlob: edk, EncryptionContext: context });
    if (typeof dk.Plaintext !== 'string') throw new Error('KMS returned no plaintext');
    const key = Buffer.from(dk.Plaintext, 'base64');
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
