import { appDeps } from '../deps';
import { lambdaHandler } from './lambda-handler';
import { ROUTES } from './routes';

/** The main API function: every route except the identity ones (see functions/http/identity.ts). */
export const handler = lambdaHandler(
  ROUTES.filter((r) => (r.lambda ?? 'api') === 'api'),
  () => appDeps(),
  'reseller-panel-api',
);
