/**
 * The Provisioner chosen by the environment (imported only by the provisioning worker job, so the
 * SSM client stays out of the other bundles):
 * - `PROVISIONER=local` or `DATA_DIR` set: the local agent running infra/provisioning/provision.sh
 *   against `$DATA_DIR/servers/<serverId>/root` (`PROVISION_SCRIPT` overrides the script path);
 * - otherwise SSM Run Command with `PROVISION_DOCUMENT_NAME` (the stack passes it), the managed
 *   instance taken from the servers registry.
 */
import { fileURLToPath } from 'node:url';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { cloudWatchOutputReader } from './ssm/cloudwatch-output-reader';
import type { Provisioner } from '../ports/provisioner';
import type { ServerRegistry } from '../ports/servers';
import { LocalAgentProvisioner } from './local/local-agent';
import { SsmProvisioner } from './ssm/ssm-provisioner';

type Env = Record<string, string | undefined>;

export function provisionerFromEnv(env: Env, servers: ServerRegistry): Provisioner {
  if (env.PROVISIONER === 'local' || (env.PROVISIONER !== 'ssm' && env.DATA_DIR)) {
    if (!env.DATA_DIR) throw new Error('PROVISIONER=local needs DATA_DIR');
    const scriptPath = env.PROVISION_SCRIPT ?? fileURLToPath(new URL('../../infra/provisioning/provision.sh', import.meta.url));
    return new LocalAgentProvisioner({ dataDir: env.DATA_DIR, scriptPath });
  }
  const documentName = env.PROVISION_DOCUMENT_NAME;
  if (!documentName) throw new Error('environment variable PROVISION_DOCUMENT_NAME is required for the SSM provisioner');
  return new SsmProvisioner({
    client: new SSMClient({}),
    documentName,
    resolveInstanceId: (serverId) => resolveInstanceId(servers, serverId),
    // Well inside the worker's Lambda time-out; a push that takes longer is retried.
    timeoutMs: Number(env.PROVISION_TIMEOUT_MS ?? 240_000),
    // Output over SSM's 24,000 inline characters (a big server's usage report) is read back from CloudWatch.
    ...(env.PROVISION_OUTPUT_LOG_GROUP
      ? { cloudWatchLogGroupName: env.PROVISION_OUTPUT_LOG_GROUP, readFullOutput: cloudWatchOutputReader(new CloudWatchLogsClient({})) }
      : {}),
  });
}

export async function resolveInstanceId(servers: ServerRegistry, serverId: string): Promise<string> {
  const server = await servers.get(serverId);
  if (!server) throw new Error(`server ${serverId} is not registered`);
  if (!server.instanceId) throw new Error(`server ${serverId} has no SSM managed-instance id`);
  return server.instanceId;
}
