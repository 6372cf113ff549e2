/**
 * Outputs over SSM's 24,000 inline characters are read back from CloudWatch Logs, which has no
 * local stand-in here: aws-sdk-client-mock answers as the service would.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { cloudWatchOutputReader } from '../../../shared/adapters/ssm/cloudwatch-output-reader';
import { SsmProvisioner } from '../../../shared/adapters/ssm/ssm-provisioner';

const logs = mockClient(CloudWatchLogsClient);
const ssm = mockClient(SSMClient);
beforeEach(() => {
  logs.reset();
  ssm.reset();
});

describe('CloudWatch output reader', () => {
  it("reads the command's stdout stream page by page and stops when the token repeats", async () => {
    logs
      .on(GetLogEventsCommand, { nextToken: undefined })
      .resolves({ events: [{ message: 'line 1\n' }, { message: 'line 2' }], nextForwardToken: 't1' })
      .on(GetLogEventsCommand, { nextToken: 't1' })
      .resolves({ events: [{ message: '{"ok":true}' }], nextForwardToken: 't2' })
      .on(GetLogEventsCommand, { nextToken: 't2' })
      .resolves({ events: [], nextForwardToken: 't2' });
    const read = cloudWatchOutputReader(new CloudWatchLogsClient({ region: 'eu-central-1' }));
    const out = await read({ commandId: 'c-1', instanceId: 'mi-1', cloudWatchLogGroupName: 'grp' });
    expect(out).toBe('line 1\nline 2\n{"ok":true}');
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({
      logGroupName: 'grp',
      logStreamName: 'c-1/mi-1/provision/stdout',
      startFromHead: true,
    });
  });

  it('answers undefined without a log group', async () => {
    const read = cloudWatchOutputReader(new CloudWatchLogsClient({ region: 'eu-central-1' }));
    expect(await read({ commandId: 'c', instanceId: 'i' })).toBeUndefined();
    expect(logs.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  });

  it('lets a truncated usage report through SSM be read in full', async () => {
    const users = Array.from({ length: 600 }, (_, i) => ({ username: `web${i + 1}`, diskKb: 1024, webBytes: 5000, ftpBytes: 0 }));
    const full = JSON.stringify({ ok: true, date: '2027-03-05', users });
    expect(full.length).toBeGreaterThan(24_000);
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-9' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: full.slice(0, 24_000) });
    logs.on(GetLogEventsCommand).resolves({ events: [{ message: full }], nextForwardToken: 'end' });
    const provisioner = new SsmProvisioner({
      client: new SSMClient({ region: 'eu-central-1' }),
      documentName: 'doc',
      resolveInstanceId: async () => 'mi-0123456789abcdef0',
      cloudWatchLogGroupName: 'grp',
      readFullOutput: cloudWatchOutputReader(new CloudWatchLogsClient({ region: 'eu-central-1' })),
      pollIntervalMs: 1,
      sleep: async () => undefined,
    });
    const report = await provisioner.report('srv-1', '2027-03-05');
    expect(report, JSON.stringify(report).slice(0, 300)).toMatchObject({ ok: true });
    if (report.ok) expect(report.users).toHaveLength(600);
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input).toMatchObject({
      CloudWatchOutputConfig: { CloudWatchLogGroupName: 'grp', CloudWatchOutputEnabled: true },
    });
  });
});
