import type { BillingRepository } from '../../ports/billing-repository';
import type { CoreDeps } from '../deps';

export type BillingDeps = Pick<CoreDeps, 'clock' | 'newId'> & { billing: BillingRepository };

export const today = (deps: Pick<CoreDeps, 'clock'>) => deps.clock.now().toISOString().slice(0, 10);
