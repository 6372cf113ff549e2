import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../../shared/adapters/ssm/private-key-store-from-env';
import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { templateRoutes } from '../routes/templates';
import { userRoutes } from '../routes/users';
import { registrationEmailRoutes } from '../routes/registration-email';

/** Hosted users (their personal fields sit in templates.ts; SSL has its own function, ssl.ts): KMS (registration e-mails are kept encrypted in the outbox; mail-send sends them), Parameter Store (a deleted user's certificate key is removed). */
export const { handler, routes } = serveGroup('users', [userRoutes, templateRoutes, registrationEmailRoutes], { keyCipher: keyCipherFromEnv, queue: sqsQueue, privateKeys: privateKeyStoreFromEnv });
