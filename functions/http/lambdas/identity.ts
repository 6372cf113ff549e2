import { identityFromEnv } from '../../../shared/adapters/identity-from-env';
import { serveGroup } from '../lambda-handler';
import { accountRoutes } from '../routes/account';
import { authRoutes } from '../routes/auth';
import { operatorRoutes } from '../routes/operator';

/** Sign-in, passwords, creating and locking logins (Cognito on AWS). */
export const { handler, routes } = serveGroup('identity', [authRoutes, accountRoutes, operatorRoutes], { identity: identityFromEnv });
