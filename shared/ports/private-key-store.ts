/**
 * Where hosting servers fetch hosted users' private keys: SSM Parameter Store (SecureString,
 * KMS-encrypted) on AWS, a directory of 0600 files in the embedded runtime. The panel writes a key
 * when a certificate is stored and deletes it when the certificate goes; the desired state carries
 * only the reference (shared/domain/provisioning/key-names.ts) and the server fetches the key itself,
 * so it never travels in a command, its output or a log.
 */
export interface PrivateKeyStore {
  /** The path every reference starts with (`SSL_KEY_PARAMETER_PATH`). */
  readonly path: string;
  /** Writes (or overwrites) the normalized key under `ref`. */
  put(ref: string, keyPem: string): Promise<void>;
  /** Removes `ref`; a missing one is fine. */
  remove(ref: string): Promise<void>;
}
