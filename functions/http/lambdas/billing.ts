import { serveGroup } from '../lambda-handler';
import { billingRoutes } from '../routes/billing';

/** Plans, billing accounts, the ledger, payments and adjustments. */
export const { handler, routes } = serveGroup('billing', [billingRoutes]);
