import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../../shared/adapters/ssm/private-key-store-from-env';
import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { sslRoutes } from '../routes/ssl';
import { templateRoutes } from '../routes/templates';
import { userRoutes } from '../routes/users';
import { registrationEmailRoutes } from '../routes/registration-email';

/** Hosted users (their personal fields sit in templates.ts) and their SSL certificates: KMS (private keys; registration e-mails are kept encrypted in the outbox; mail-send sends them), Parameter Store (certificate keys the servers fetch). */
export const { handler, routes } = serveGroup('users', [userRoutes, sslRoutes, templateRoutes, registrationEmailRoutes], { keyCipher: keyCipherFromEnv, queue: sqsQueue, privateKeys: privateKeyStoreFromEnv });
