import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { mailerFromEnv } from '../../../shared/adapters/ses/mailer-from-env';
import { serveGroup } from '../lambda-handler';
import { sslRoutes } from '../routes/ssl';
import { userRoutes } from '../routes/users';

/** Hosted users and their SSL certificates: SES (registration e-mails, circulars) and KMS (private keys). */
export const { handler, routes } = serveGroup('users', [userRoutes, sslRoutes], { mailer: mailerFromEnv, keyCipher: keyCipherFromEnv });
