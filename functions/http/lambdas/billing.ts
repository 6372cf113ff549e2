import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { billingRoutes } from '../routes/billing';

/** Plans, billing accounts, the ledger, payments and adjustments (their webhook events go to the fan-out queue). */
export const { handler, routes } = serveGroup('billing', [billingRoutes], { queue: sqsQueue });
