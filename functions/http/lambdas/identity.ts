import { apiClientsFromEnv, identityFromEnv } from '../../../shared/adapters/identity-from-env';
import { apiClientRoutes } from '../routes/api-clients';
import { serveGroup } from '../lambda-handler';
import { accountRoutes } from '../routes/account';
import { authRoutes } from '../routes/auth';
import { operatorRoutes } from '../routes/operator';

/** Sign-in, passwords, creating and locking logins (Cognito on AWS). */
export const { handler, routes } = serveGroup('identity', [authRoutes, accountRoutes, operatorRoutes, apiClientRoutes], {
  identity: identityFromEnv,
  apiClientProvider: apiClientsFromEnv,
});
