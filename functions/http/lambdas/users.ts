import { keyCipherFromEnv } from '../../../shared/adapters/kms/key-cipher-from-env';
import { mailerFromEnv } from '../../../shared/adapters/ses/mailer-from-env';
import { serveGroup } from '../lambda-handler';
import { sslRoutes } from '../routes/ssl';
import { templateRoutes } from '../routes/templates';
import { userRoutes } from '../routes/users';

/** Hosted users (their personal fields sit in templates.ts) and their SSL certificates: SES (registration e-mails, circulars) and KMS (private keys). */
export const { handler, routes } = serveGroup('users', [userRoutes, sslRoutes, templateRoutes], { mailer: mailerFromEnv, keyCipher: keyCipherFromEnv });
