import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyCipher } from '../../ports/key-cipher';

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * The embedded runtime's stand-in for KMS: one AES-256-GCM key in a file under `$DATA_DIR/keys/`
 * (created on first use, mode 0600), the context bound as additional authenticated data.
 */
export class LocalCipher implements KeyCipher {
  private constructor(private readonly key: Buffer) {}

  static loadOrCreate(file: string): LocalCipher {
    try {
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (key.length === 32) return new LocalCipher(key);
      throw new Error(`${file} does not hold a 32-byte key`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    try {
      writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return LocalCipher.loadOrCreate(file);
      throw e;
    }
    chmodSync(file, 0o600);
    return new LocalCipher(key);
  }

  async encrypt(plaintext: Buffer, context: Record<string, string>): Promise<string> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(JSON.stringify(sorted(context))));
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return ['local1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join('.');
  }

  async decrypt(ciphertext: string, context: Record<string, string>): Promise<Buffer> {
    const [v, iv, tag, ct] = ciphertext.split('.');
    if (v !== 'local1' || !iv || !tag || !ct) throw new Error('not a local1 ciphertext');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAAD(Buffer.from(JSON.stringify(sorted(context))));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]);
  }
}
