import type { ResellerStatus } from '../domain/reseller';

/** The one fact every reseller request needs before anything else: is the account open? */
export interface AccountStatus {
  /** A consistent read of the reseller's status; undefined when the reseller is gone. */
  statusOf(resellerId: string): Promise<ResellerStatus | undefined>;
}
