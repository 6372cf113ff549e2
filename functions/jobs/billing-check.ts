import { Logger } from '@aws-lambda-powertools/logger';
import { appDeps } from '../deps';
import { checkBilling } from '../../shared/app/billing/run';
import { jobDay } from './job-event';

const logger = new Logger({ serviceName: 'reseller-panel-billing-check' });

/**
 * At 03:00 UTC: publishes AccountsNotBilled (accounts due up to today that no run has brought
 * there); the alarm on it fires when it is above 0 or missing.
 */
export async function handler(event: Record<string, unknown>) {
  const d = await appDeps();
  const result = await checkBilling(d, jobDay(event, d.clock));
  if (result.notBilled > 0) logger.error('accounts not billed up to today', { ...result });
  else logger.info('billing up to date', { ...result });
  return result;
}
