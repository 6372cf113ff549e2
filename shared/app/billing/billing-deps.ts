import type { BillingRepository } from '../../ports/billing-repository';
import type { UsageRepository } from '../../ports/usage';
import type { CoreDeps } from '../deps';

/**
 * With `usage`, every move of an account bills the stored usage not fed yet on the way
 * (shared/app/billing/usage-feed.ts); the composed app deps always have it.
 */
export type BillingDeps = Pick<CoreDeps, 'clock' | 'newId'> & { billing: BillingRepository; usage?: Pick<UsageRepository, 'userMonths' | 'accountMonths'> };

export const today = (deps: Pick<CoreDeps, 'clock'>) => deps.clock.now().toISOString().slice(0, 10);
