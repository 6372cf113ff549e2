/**
 * Private keys in SSM Parameter Store: a SecureString per certificate, encrypted with the stack's
 * key-store KMS key, under `SSL_KEY_PARAMETER_PATH`. The hosting servers read them with their
 * instance role (GetParameter --with-decryption under that path only; see infra/stacks/ssl-key-store.ts).
 */
import { normalizeKeyPem } from '../../domain/provisioning/key-names';
import type { PrivateKeyStore } from '../../ports/private-key-store';
import type { SsmJsonClient } from './ssm-json-client';

export class ParameterKeyStore implements PrivateKeyStore {
  constructor(
    private readonly client: Pick<SsmJsonClient, 'call'>,
    readonly path: string,
    private readonly kmsKeyId: string,
  ) {}

  async put(ref: string, keyPem: string): Promise<void> {
    await this.client.call('PutParameter', {
      Name: ref,
      Value: normalizeKeyPem(keyPem),
      Type: 'SecureString',
      KeyId: this.kmsKeyId,
      Overwrite: true,
      // RSA-4096 keys pass the standard tier's 4 KB: Parameter Store picks the tier per value.
      Tier: 'Intelligent-Tiering',
      Description: 'reseller-panel: private key of a hosted user certificate',
    });
  }

  async remove(ref: string): Promise<void> {
    try {
      await this.client.call('DeleteParameter', { Name: ref });
    } catch (e) {
      if ((e as { name?: string }).name !== 'ParameterNotFound') throw e;
    }
  }
}
