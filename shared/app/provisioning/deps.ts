import type { CoreDeps } from '../deps';
import type { CertificateStore, UserRepository } from '../../ports/controlpanel';
import type { KeyCipher } from '../../ports/key-cipher';
import type { PrivateKeyStore } from '../../ports/private-key-store';
import type { Provisioner } from '../../ports/provisioner';
import type { ProvisioningRepository, ProvisioningSettings } from '../../ports/provisioning';
import type { ServerRepository } from '../../ports/servers';
import type { BackoffPolicy } from '../../domain/provisioning/status';

/** The repositories of provisioning: every function has them (the API writes statuses with each change). */
export interface ProvisioningPorts {
  servers: ServerRepository;
  provisioning: ProvisioningRepository & ProvisioningSettings;
}

/** What the worker needs on top: the Provisioner (SSM on AWS, the local agent locally) and the backoff. */
export interface WorkerDeps extends Pick<CoreDeps, 'clock' | 'newId'>, ProvisioningPorts {
  users: Pick<UserRepository, 'get'>;
  /** The user's own certificate (its PEM and key reference) for the state. */
  certificates: Pick<CertificateStore, 'get' | 'recordKeyRef'>;
  /**
   * For certificates stored before the key store: their key is decrypted and put where the servers
   * fetch it on their first push (shared/app/controlpanel/ssl.ts ensureKeyParameter).
   */
  keyCipher?: Pick<KeyCipher, 'decrypt'>;
  privateKeys?: PrivateKeyStore;
  provisioner: Provisioner;
  backoff?: BackoffPolicy;
}
