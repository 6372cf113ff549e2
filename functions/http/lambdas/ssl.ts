import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../../shared/adapters/ssm/private-key-store-from-env';
import { serveGroup } from '../lambda-handler';
import { sslRoutes } from '../routes/ssl';

/** Hosted users' SSL certificates: KMS (private keys kept encrypted, never returned), Parameter Store (the keys the servers fetch). */
export const { handler, routes } = serveGroup('ssl', [sslRoutes], { keyCipher: keyCipherFromEnv, privateKeys: privateKeyStoreFromEnv });
