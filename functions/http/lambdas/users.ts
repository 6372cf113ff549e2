import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../../shared/adapters/ssm/private-key-store-from-env';
import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { sslRoutes } from '../routes/ssl';
import { templateRoutes } from '../routes/templates';
import { userRoutes } from '../routes/users';
import { registrationEmailRoutes } from '../routes/registration-email';

import { privateKeyStoreFromEnv } from '../../../shared/adapters/ssm/private-key-store-from-env';
