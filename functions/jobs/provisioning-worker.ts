import { Logger } from '@aws-lambda-powertools/logger';
import { appDeps } from '../deps';
import { runProvisioning } from '../../shared/app/provisioning/worker';
import { provisionerFromEnv } from '../../shared/adapters/provisioner-from-env';
import { keyCipherFromEnv } from '../../shared/adapters/kms/key-cipher-from-env';
import { privateKeyStoreFromEnv } from '../../shared/adapters/ssm/private-key-store-from-env';
import type { Provisioner } from '../../shared/ports/provisioner';

const logger = new Logger({ serviceName: 'reseller-panel-provisioning-worker' });
/** Built once on AWS; the local runtime's own (its data dir's agent) is taken from its deps on every call. */
let awsProvisioner: Provisioner | undefined;

/**
 * EventBridge Scheduler calls this every minute (the local runtime after each changing request and
 * on an interval): push every pending or due-again user's desired state to its server.
 */
export async function handler(_event?: Record<string, unknown>) {
  // The key cipher and the key store: certificates stored before the key store get their parameter on their first push.
  // No work queue (bundle budget): the webhook events of its pushes are announced by webhook-sweep.
  const d = await appDeps({ keyCipher: keyCipherFromEnv, privateKeys: privateKeyStoreFromEnv });
  const provisioner = d.provisioner ?? (awsProvisioner ??= provisionerFromEnv(process.env, d.servers));
  const result = await runProvisioning(
    { ...d, provisioner, backoff: d.provisioningBackoff },
    { budgetMs: Number(process.env.PROVISION_BUDGET_MS ?? 600_000) },
  );
  if (result.pushed) logger.debug('provisioning pass', { ...result, errors: result.errors.length });
  if (result.errors.length) logger.warn('provisioning failures', { errors: result.errors.slice(0, 20) });
  return result;
}
