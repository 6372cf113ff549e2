import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import type { CoreDeps } from '../deps';
import { resellerUsage } from '../stats/stats';
import { getAccount } from './account';

type OverviewDeps = CoreDeps & Parameters<typeof resellerUsage>[0];

/**
 * General -> Overview: the profile with its counters (`resources.*.used` is the allocation) and
 * what the servers measured (`usage`). Two key reads, sent together.
 */
export async function accountOverview(deps: OverviewDeps, actor: Principal) {
  const [account, usage] = await Promise.all([getAccount(deps, actor), resellerUsage(deps, resellerOf(actor))]);
  return { ...account, usage };
}
