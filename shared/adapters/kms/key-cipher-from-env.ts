import { join } from 'node:path';
import { ssmJsonClientFromEnv } from '../ssm/ssm-json-client';
import type { KeyCipher } from '../../ports/key-cipher';
import { LocalCipher } from '../local/local-cipher';
import { KmsCipher } from './kms-cipher';

/**
 * Private keys: KMS envelope encryption with `KMS_KEY_ID`; otherwise, in the embedded runtime, an
 * AES-256-GCM key file under `$DATA_DIR/keys/`. With neither, encryption fails (nothing is stored).
 * Only the functions that handle private keys import this (the KMS client stays out of the others).
 */
export function keyCipherFromEnv(env: Record<string, string | undefined>): KeyCipher {
  if (env.KMS_KEY_ID) return new KmsCipher(ssmJsonClientFromEnv(env, { service: 'kms', targetPrefix: 'TrentService' }), env.KMS_KEY_ID);
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
