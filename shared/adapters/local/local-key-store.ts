/**
 * The embedded runtime's stand-in of SSM Parameter Store for private keys: one file per parameter
 * name under `$DATA_DIR/key-store` (directories 0700, files 0600 from their first byte). The local
 * agent hands the directory to provision.sh (PROVISION_KEY_STORE_DIR), which reads the key itself,
 * as a server fetches it from Parameter Store on AWS.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_KEY_STORE_PATH, normalizeKeyPem } from '../../domain/provisioning/key-names';
import { KEY_REF } from '../../domain/provisioning/fields';
import type { PrivateKeyStore } from '../../ports/private-key-store';

export const localKeyStoreDir = (dataDir: string) => path.join(path.resolve(dataDir), 'key-store');

export class LocalKeyStore implements PrivateKeyStore {
  constructor(
    private readonly dir: string,
    readonly path: string = DEFAULT_KEY_STORE_PATH,
  ) {}

  private fileOf(ref: string): string {
    if (!KEY_REF.test(ref) || !ref.startsWith(`${this.path}/`) || ref.split('/').some((p) => p === '.' || p === '..')) {
      throw new Error(`invalid key reference: ${ref}`);
    }
    return path.join(this.dir, ...ref.split('/').filter(Boolean));
  }

  async put(ref: string, keyPem: string): Promise<void> {
    const file = this.fileOf(ref);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(normalizeKeyPem(keyPem), 'utf8');
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  }

  async remove(ref: string): Promise<void> {
    await rm(this.fileOf(ref), { force: true });
  }
}
