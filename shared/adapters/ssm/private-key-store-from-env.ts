/**
 * The key store by environment: the local stand-in under `$DATA_DIR/key-store` in the embedded
 * runtime, otherwise SSM Parameter Store under `SSL_KEY_PARAMETER_PATH`, encrypted with
 * `SSL_KEY_KMS_KEY_ID` (both set by the stack, infra/stacks/ssl-key-store.ts). With neither, storing
 * a certificate fails before anything is written.
 */
import { DEFAULT_KEY_STORE_PATH } from '../../domain/provisioning/key-names';
import type { PrivateKeyStore } from '../../ports/private-key-store';
import { LocalKeyStore, localKeyStoreDir } from '../local/local-key-store';
import { ParameterKeyStore } from './parameter-key-store';
import { ssmJsonClientFromEnv } from './ssm-json-client';

export function privateKeyStoreFromEnv(env: Record<string, string | undefined>): PrivateKeyStore {
  const path = env.SSL_KEY_PARAMETER_PATH ?? DEFAULT_KEY_STORE_PATH;
  if (env.SSL_KEY_KMS_KEY_ID) return new ParameterKeyStore(ssmJsonClientFromEnv(env), path, env.SSL_KEY_KMS_KEY_ID);
  if (env.DATA_DIR) return new LocalKeyStore(localKeyStoreDir(env.DATA_DIR), path);
  const missing = async (): Promise<never> => {
    throw new Error('no key store configured: set SSL_KEY_KMS_KEY_ID (or DATA_DIR for the embedded runtime)');
  };
  return { path, put: missing, remove: missing };
}
