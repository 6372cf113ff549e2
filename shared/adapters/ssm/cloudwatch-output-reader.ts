import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { FullOutputLocation } from './ssm-provisioner';

/**
 * Reads a command's complete standard output from the CloudWatch log group SSM streamed it to,
 * for outputs over the 24,000 characters GetCommandInvocation returns. SSM names the stream
 * `<CommandId>/<InstanceId>/<step name>/stdout`; the agent sends the output line by line.
 */
export function cloudWatchOutputReader(client: CloudWatchLogsClient, stepName = 'provision') {
  return async (loc: FullOutputLocation): Promise<string | undefined> => {
    if (!loc.cloudWatchLogGroupName) return undefined;
    const lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const out = await client.send(
        new GetLogEventsCommand({
          logGroupName: loc.cloudWatchLogGroupName,
          logStreamName: `${loc.commandId}/${loc.instanceId}/${stepName}/stdout`,
          startFromHead: true,
          nextToken: token,
        }),
      );
      for (const e of out.events ?? []) if (e.message !== undefined) lines.push(e.message.replace(/\n$/, ''));
      // The forward token repeats once the end of the stream is reached.
      if (!out.nextForwardToken || out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    return lines.length ? lines.join('\n') : undefined;
  };
}
