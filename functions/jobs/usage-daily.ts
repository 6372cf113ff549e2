import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { appDeps } from '../deps';
import type { AppDeps } from '../../shared/adapters/compose';
import { LocalAgentProvisioner } from '../../shared/adapters/local/local-agent';
import { runUsageDay, usageDayFor, type UsageJobDeps } from '../../shared/app/stats/usage-daily';
import type { Provisioner } from '../../shared/ports/provisioner';
import type { Server, ServerRegistry } from '../../shared/ports/servers';
import { jobDay } from './job-event';

const logger = new Logger({ serviceName: 'reseller-panel-usage-daily' });

type Deps = AppDeps & { servers?: ServerRegistry; provisioner?: Provisioner };

/** The servers: the registry when the deployment has one; otherwise the embedded runtime's `local-1`. */
function registryOf(d: Deps): Pick<ServerRegistry, 'list' | 'get'> {
  const registry = d.servers;
  if (registry) return registry;
  const local: Server[] = d.localDataDir
    ? [{ id: 'local-1', name: 'local-1', instanceId: null, addresses: [], capacity: -1, users: 0, isDefault: true, createdAt: '', updatedAt: '' }]
    : [];
  return { list: async () => local, get: async (id) => local.find((s) => s.id === id) };
}

/**
 * The Provisioner: the one the process was given (the embedded runtime's local agent), else built
 * here only (the SSM client stays out of the API bundle): the local agent under $DATA_DIR, or SSM
 * Run Command with the stack's document on AWS.
 */
async function provisionerOf(d: Deps, registry: Pick<ServerRegistry, 'get'>): Promise<Provisioner> {
  if (d.provisioner) return d.provisioner;
  if (d.localDataDir) {
    const scriptPath = fileURLToPath(new URL('../../infra/provisioning/provision.sh', import.meta.url));
    return new LocalAgentProvisioner({ dataDir: d.localDataDir, scriptPath });
  }
  const [{ SSMClient }, { SsmProvisioner }] = await Promise.all([
    import('@aws-sdk/client-ssm'),
    import('../../shared/adapters/ssm/ssm-provisioner'),
  ]);
  const documentName = process.env.PROVISION_DOCUMENT_NAME;
  if (!documentName) throw new Error('environment variable PROVISION_DOCUMENT_NAME is required');
  return new SsmProvisioner({
    client: new SSMClient({}),
    documentName,
    resolveInstanceId: async (serverId) => (await registry.get(serverId))?.instanceId ?? serverId,
  });
}

let provisioner: Promise<Provisioner> | undefined;

/**
 * EventBridge Scheduler (or the local scheduler) calls this once a day at 00:05 UTC, before
 * billing-daily: it reports the day before the scheduled day (complete logs), stores the figures
 * and feeds them to billing. `{ day }` in the event (YYYY-MM-DD) reports that day instead.
 */
export async function handler(event: Record<string, unknown>) {
  const d: Deps = await appDeps();
  const registry = registryOf(d);
  provisioner ??= provisionerOf(d, registry);
  const day = typeof event.usageDay === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(event.usageDay) ? event.usageDay : usageDayFor(jobDay(event, d.clock));
  const deps: UsageJobDeps = { ...d, servers: registry, provisioner: await provisioner, usage: d.usage };
  const result = await runUsageDay(deps, day);
  logger.info('usage day done', {
    day,
    servers: result.servers.length,
    stored: result.stored,
    billing: { ...result.billing, failed: result.billing.failed.length },
  });
  const failedServers = result.servers.filter((s) => !s.ok);
  if (failedServers.length) logger.error('usage reports failed', { servers: failedServers });
  if (result.billing.failed.length) logger.error('usage billing failed', { failed: result.billing.failed });
  if (result.unknownUsers.length) logger.warn('reported users without an owner', { users: result.unknownUsers });
  return result;
}
