/**
 * Provisioner: sends a hosted user's complete desired state to the hosting server it lives on,
 * and reads the server's usage figures. Two adapters: SSM Run Command (shared/adapters/ssm) and the
 * local agent (shared/adapters/local) for the servers of the embedded runtime. Both run the same
 * script (infra/provisioning/provision.sh).
 *
 * Expected failures (invalid state, the script refusing or failing, SSM errors, time-outs) come
 * back as `{ ok: false, error, retryable }`; the methods do not throw for them. `retryable` says
 * whether sending the same state again later may succeed (the caller retries with backoff and
 * records the error; a state is safe to re-send because it is complete, not a list of steps).
 */
import type { DesiredState } from '../domain/provisioning/desired-state';
import type { ApplyResult, UsageReport } from '../domain/provisioning/script-result';

export type {
  ApplyResult,
  ApplySuccess,
  ProvisionFailure,
  UsageReport,
  UsageReportSuccess,
  UserUsage,
} from '../domain/provisioning/script-result';

export interface Provisioner {
  /** Converges `state.username` on the server `serverId` to `state`. Safe to repeat. */
  apply(serverId: string, state: DesiredState): Promise<ApplyResult>;
  /**
   * Converges many users of ONE server in one command (`provision.sh apply-batch`): one result per
   * state, in order. The caller keeps a batch within DEFAULT_BATCH_LIMITS (planBatches).
   */
  applyBatch(serverId: string, states: readonly DesiredState[]): Promise<ApplyResult[]>;
  /** Disk use of every hosted user of the server, and their web and FTP traffic on `date` (YYYY-MM-DD). */
  report(serverId: string, date: string): Promise<UsageReport>;
}
