import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { desiredState, type DesiredState } from '../../../shared/domain/provisioning';
import { SsmProvisioner, type SsmProvisionerOptions } from '../../../shared/adapters/ssm/ssm-provisioner';

const ssm = mockClient(SSMClient);
const INSTANCE = 'i-0123456789abcdef0';
const state = desiredState({ username: 'web12', resellerId: 'res-1', sequence: 4, services: { cgi: true } });

let slept: number[];
let clock: number;
function provisioner(over: Partial<SsmProvisionerOptions> = {}) {
  return new SsmProvisioner({
    client: new SSMClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    documentName: 'ResellerPanel-Provision',
    resolveInstanceId: (serverId) => (serverId === 'srv-1' ? INSTANCE : `unknown-${serverId}`),
    pollIntervalMs: 1000,
    timeoutMs: 10_000,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...over,
  });
}

const throttling = () =>
  new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });
const notYet = () => new InvocationDoesNotExist({ message: 'invocation does not exist', $metadata: {} });
const okLine = (changed: string[]) => JSON.stringify({ ok: true, username: 'web12', sequence: 4, locked: false, deleted: false, changed });

beforeEach(() => {
  ssm.reset();
  slept = [];
  clock = 0;
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
});

describe('SsmProvisioner.apply', () => {
  it('sends the document with the base64 state, MaxConcurrency and MaxErrors, polls and returns ok', async () => {
    ssm.on(GetCommandInvocationCommand)
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: `${okLine(['mkdir /var/www/web12/cgi-bin'])}\n` });
    const r = await provisioner({ outputS3BucketName: 'out-bucket', outputS3KeyPrefix: 'ssm/', cloudWatchLogGroupName: '/rp/ssm' })
      .apply('srv-1', state);
    expect(r).toEqual({ ok: true, serverId: 'srv-1', username: 'web12', sequence: 4, changed: ['mkdir /var/www/web12/cgi-bin'], stale: false, commandId: 'cmd-1' });
    const sent = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({
      DocumentName: 'ResellerPanel-Provision',
      InstanceIds: [INSTANCE],
      MaxConcurrency: '1',
      MaxErrors: '0',
      OutputS3BucketName: 'out-bucket',
      OutputS3KeyPrefix: 'ssm/',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '/rp/ssm', CloudWatchOutputEnabled: true },
    });
    expect(sent.Parameters?.action).toEqual(['apply']);
    expect(sent.Parameters?.state?.[0]).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(sent.Parameters!.state![0]!, 'base64').toString()).toContain('username=web12\n');
    expect(ssm.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input).toEqual({ CommandId: 'cmd-1', InstanceId: INSTANCE });
    expect(slept).toEqual([1000, 1000]);
  });

  it('waits while the invocation does not exist yet, then succeeds', async () => {
    ssm.on(GetCommandInvocationCommand)
      .rejectsOnce(notYet())
      .rejectsOnce(notYet())
      .resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: okLine([]) });
    const r = await provisioner().apply('srv-1', state);
    expect(r).toMatchObject({ ok: true, changed: [], commandId: 'cmd-1' });
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
  });

  it('a command that fails ends failed with the script\'s message, then recovers on retry', async () => {
    ssm.on(GetCommandInvocationCommand).resolvesOnce({
      Status: 'Failed',
      StatusDetails: 'Failed',
      ResponseCode: 1,
      StandardOutputContent: '{"ok":false,"error":"directory could not be created: /var/www/web12/cgi-bin"}\n',
      StandardErrorContent: 'mkdir: cannot create directory',
    }).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: okLine(['mkdir /var/www/web12/cgi-bin']) });
    const p = provisioner();
    const failed = await p.apply('srv-1', state);
    expect(failed).toEqual({
      ok: false,
      serverId: 'srv-1',
      error: 'SSM command cmd-1 Failed: directory could not be created: /var/www/web12/cgi-bin',
      retryable: true,
      commandId: 'cmd-1',
    });
    expect(await p.apply('srv-1', state)).toMatchObject({ ok: true });
  });

  it('a refusal of the script (exit 2) is not retryable', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Failed', ResponseCode: 2, StandardOutputContent: '{"ok":false,"error":"invalid state: username must match ^web[0-9]+$"}',
    });
    expect(await provisioner().apply('srv-1', state)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid state') });
  });

  it('a failure without output still gives a message', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', ResponseCode: 127, StandardOutputContent: '', StandardErrorContent: 'bash: not found' });
    const r = await provisioner().apply('srv-1', state);
    expect(r).toMatchObject({ ok: false, retryable: true });
    expect(!r.ok && r.error).toBe('SSM command cmd-1 Failed: provisioning script failed (exit 127): bash: not found');
  });

  it('a command that SSM times out ends failed, then recovers on retry', async () => {
    ssm.on(GetCommandInvocationCommand)
      .resolvesOnce({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' })
      .resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: okLine([]) });
    const p = provisioner();
    expect(await p.apply('srv-1', state)).toEqual({
      ok: false, serverId: 'srv-1', error: `SSM command cmd-1 timed out (ExecutionTimedOut) on ${INSTANCE}`, retryable: true, commandId: 'cmd-1',
    });
    expect(await p.apply('srv-1', state)).toMatchObject({ ok: true });
  });

  it('a command still running when our timeout passes is cancelled and ends failed', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    ssm.on(CancelCommandCommand).resolves({});
    const r = await provisioner().apply('srv-1', state);
    expect(r).toMatchObject({ ok: false, retryable: true, commandId: 'cmd-1' });
    expect(!r.ok && r.error).toBe('SSM command cmd-1 did not finish within 10000 ms; cancelled');
    expect(ssm.commandCalls(CancelCommandCommand)[0]!.args[0].input).toEqual({ CommandId: 'cmd-1', InstanceIds: [INSTANCE] });
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(10);
  });

  it('an invocation that never appears ends failed with the reason', async () => {
    ssm.on(GetCommandInvocationCommand).rejects(notYet());
    const r = await provisioner().apply('srv-1', state);
    expect(!r.ok && r.error).toMatch(/did not finish within 10000 ms \(InvocationDoesNotExist: invocation does not exist\); cancelled/);
  });

  it('a cancelled command ends failed', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Cancelled', StatusDetails: 'Cancelled' });
    expect(await provisioner().apply('srv-1', state)).toMatchObject({ ok: false, retryable: true, error: `SSM command cmd-1 was cancelled on ${INSTANCE}` });
  });

  it('throttled SendCommand ends failed and retryable, then recovers on retry', async () => {
    ssm.on(SendCommandCommand).rejectsOnce(throttling()).resolves({ Command: { CommandId: 'cmd-2' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: okLine([]) });
    const p = provisioner();
    expect(await p.apply('srv-1', state)).toEqual({
      ok: false, serverId: 'srv-1', error: 'SSM throttled SendCommand (ThrottlingException): Rate exceeded', retryable: true,
    });
    expect(await p.apply('srv-1', state)).toMatchObject({ ok: true, commandId: 'cmd-2' });
  });

  it('throttled polling keeps waiting', async () => {
    ssm.on(GetCommandInvocationCommand)
      .rejectsOnce(throttling())
      .resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: okLine([]) });
    expect(await provisioner().apply('srv-1', state)).toMatchObject({ ok: true });
  });

  it('an instance that is not managed ends failed; a bad instance id is refused before sending', async () => {
    ssm.on(SendCommandCommand).rejects(new SSMServiceException({ name: 'InvalidInstanceId', $fault: 'client', message: 'Instances not in a valid state', $metadata: {} }));
    expect(await provisioner().apply('srv-1', state)).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('is not a running managed instance') });
    ssm.resetHistory();
    expect(await provisioner().apply('srv-9', state)).toMatchObject({ ok: false, retryable: false });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('an invalid state is refused before it is sent', async () => {
    const bad = { ...state, username: '../../etc' } as DesiredState;
    const r = await provisioner().apply('srv-1', bad);
    expect(r).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid desired state, not sent: username') });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    const cron = desiredState({ username: 'web12', resellerId: 'r', sequence: 1 });
    cron.cronJobs.push({ schedule: '* * * * *', command: 'true\n* * * * * root evil' });
    expect(await provisioner().apply('srv-1', cron)).toMatchObject({ ok: false, error: expect.stringContaining('cronJobs[0].command') });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });
});

describe('SsmProvisioner.report', () => {
  const report = { ok: true, date: '2024-10-03', users: [{ username: 'web12', diskKb: 10, webBytes: 20, ftpBytes: 30 }] };

  it('sends the report action with the date and parses the usage', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: JSON.stringify(report) });
    expect(await provisioner().report('srv-1', '2024-10-03')).toEqual({ ...report, serverId: 'srv-1', commandId: 'cmd-1' });
    expect(ssm.commandCalls(SendCommandCommand)[0]!.args[0].input.Parameters).toEqual({ action: ['report'], state: [''], date: ['2024-10-03'] });
  });

  it('reads output that SSM truncated from S3/CloudWatch through readFullOutput', async () => {
    const big = { ok: true, date: '2024-10-03', users: Array.from({ length: 600 }, (_, i) => ({ username: `web${i}`, diskKb: i, webBytes: i, ftpBytes: i })) };
    const text = JSON.stringify(big);
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Success', ResponseCode: 0, StandardOutputContent: text.slice(0, 24_000), StandardOutputUrl: 'https://s3.example/out/stdout',
    });
    const seen: unknown[] = [];
    const r = await provisioner({ outputS3BucketName: 'out-bucket', readFullOutput: async (loc) => { seen.push(loc); return text; } })
      .report('srv-1', '2024-10-03');
    expect(r.ok && r.users).toHaveLength(600);
    expect(seen).toEqual([{ commandId: 'cmd-1', instanceId: INSTANCE, standardOutputUrl: 'https://s3.example/out/stdout', outputS3BucketName: 'out-bucket' }]);
    const noReader = await provisioner().report('srv-1', '2024-10-03');
    expect(noReader).toMatchObject({ ok: false, error: expect.stringContaining('truncated') });
  });

  it('refuses a bad date without calling SSM', async () => {
    expect(await provisioner().report('srv-1', '2024-1-3')).toMatchObject({ ok: false, retryable: false });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });
});
