import { identityFromEnv } from '../../shared/adapters/identity-from-env';
import { appDeps } from '../deps';
import { lambdaHandler } from './lambda-handler';
import { accountRoutes } from './routes/account';
import { authRoutes } from './routes/auth';
import { operatorRoutes } from './routes/operator';

/**
 * The identity function: sign-in, passwords, creating and locking logins (Cognito on AWS). It
 * imports only the route modules that hold identity routes, so the rest of the product stays out
 * of its bundle; a test checks that these are all of the table's identity routes.
 */
export const IDENTITY_ROUTE_MODULES = [authRoutes, accountRoutes, operatorRoutes];

export const handler = lambdaHandler(
  IDENTITY_ROUTE_MODULES.flat().filter((r) => r.lambda === 'identity'),
  () => appDeps(identityFromEnv),
  'reseller-panel-identity',
);
