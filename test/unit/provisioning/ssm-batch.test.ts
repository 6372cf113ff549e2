/**
 * SsmProvisioner.applyBatch on aws-sdk-client-mock (SSM has no local stand-in): the shape of the one
 * batched command, per-user results, output over SSM's inline limit read from the log group, and the
 * failure modes (throttled, timed out, lines missing, an item answering for another user).
 */
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmProvisioner, SSM_INLINE_OUTPUT_LIMIT, type SsmProvisionerOptions } from '../../../shared/adapters/ssm/ssm-provisioner';
import { desiredState, encodeStateForScript, type DesiredState } from '../../../shared/domain/provisioning';
import { planBatches } from '../../../shared/domain/provisioning/batch';

const ssm = mockClient(SSMClient);
const INSTANCE = 'i-0123456789abcdef0';
const states: DesiredState[] = [1, 2, 3].map((n) => desiredState({ username: `web${n}`, resellerId: 'res-1', sequence: 10 + n }));
const line = (item: number, s: DesiredState, ok = true, changed: string[] = []) =>
  JSON.stringify({ item, exit: ok ? 0 : 1, result: ok ? { ok: true, username: s.username, sequence: s.sequence, locked: false, deleted: false, changed } : { ok: false, error: `directory could not be created: /var/www/${s.username}/html` } });

function provisioner(over: Partial<SsmProvisionerOptions> = {}) {
  let clock = 0;
  return new SsmProvisioner({
    client: new SSMClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 }),
    documentName: 'ResellerPanel-Provision',
    resolveInstanceId: () => INSTANCE,
    pollIntervalMs: 1000,
    timeoutMs: 10_000,
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    ...over,
  });
}

beforeEach(() => {
  ssm.reset();
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-b' } });
});

describe('SsmProvisioner.applyBatch', () => {
  it('sends ONE command with every state in the states parameter and answers per user, in order', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Success', ResponseCode: 0,
      StandardOutputContent: [line(0, states[0]!), line(1, states[1]!, false), line(2, states[2]!), '{"ok":true,"items":3}'].join('\n'),
    });
    const out = await provisioner().applyBatch('srv-1', states);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    const sent = ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(sent.InstanceIds).toEqual([INSTANCE]);
    expect(sent.Parameters?.action).toEqual(['apply-batch']);
    expect(sent.Parameters?.states).toEqual([states.map((s) => encodeStateForScript(s)).join(' ')]);
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
    expect(out[0]).toMatchObject({ username: 'web1', sequence: 11, commandId: 'cmd-b' });
    expect(out[1]).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('/var/www/web2/html') });
  });

  it('reads an answer over the inline limit in full from the log group', async () => {
    const long = 'x'.repeat(400);
    const full = [...states.map((s, i) => line(i, s, true, Array(30).fill(long))), '{"ok":true,"items":3}'].join('\n');
    expect(full.length).toBeGreaterThan(SSM_INLINE_OUTPUT_LIMIT);
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: full.slice(0, SSM_INLINE_OUTPUT_LIMIT) });
    const asked: string[] = [];
    const out = await provisioner({
      cloudWatchLogGroupName: '/rp/ssm',
      readFullOutput: async (loc) => {
        asked.push(`${loc.cloudWatchLogGroupName}/${loc.commandId}/${loc.instanceId}`);
        return full;
      },
    }).applyBatch('srv-1', states);
    expect(asked).toEqual([`/rp/ssm/cmd-b/${INSTANCE}`]);
    expect(out.every((r) => r.ok)).toBe(true);
  });

  it('without a way to read the full output, the users cut off fail naming the missing configuration; the others are applied', async () => {
    const full = [...states.map((s, i) => line(i, s, true, Array(30).fill('y'.repeat(400)))), '{"ok":true,"items":3}'].join('\n');
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', ResponseCode: 0, StandardOutputContent: full.slice(0, SSM_INLINE_OUTPUT_LIMIT) });
    const out = await provisioner().applyBatch('srv-1', states);
    expect(out[0]!.ok).toBe(true);
    expect(out[2]).toMatchObject({ ok: false, error: expect.stringContaining('truncated by SSM') });
  });

  it('throttled SendCommand or a timed-out command fails every user of the batch, retryably', async () => {
    ssm.on(SendCommandCommand).rejects(new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));
    const throttled = await provisioner().applyBatch('srv-1', states);
    expect(throttled.map((r) => [r.ok, !r.ok && r.retryable])).toEqual([[false, true], [false, true], [false, true]]);
    ssm.reset();
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-t' } });
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' });
    const timedOut = await provisioner().applyBatch('srv-1', states);
    expect(timedOut.every((r) => !r.ok && r.retryable && /timed out/.test(r.error))).toBe(true);
  });

  it('an item that answers for another user or sequence is not taken as applied', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({
      Status: 'Success', ResponseCode: 0,
      StandardOutputContent: [line(0, states[1]!), line(1, states[1]!), line(2, states[2]!), '{"ok":true,"items":3}'].join('\n'),
    });
    const out = await provisioner().applyBatch('srv-1', states);
    expect(out.map((r) => r.ok)).toEqual([false, true, true]);
  });
});

describe('planBatches', () => {
  const many = Array.from({ length: 120 }, (_, i) => desiredState({ username: `web${i + 1}`, resellerId: 'r', sequence: 1 }));
  it('cuts at 50 users', () => {
    const { batches } = planBatches('s', many);
    expect(batches.map((b) => b.items.length)).toEqual([50, 50, 20]);
    expect(batches.flatMap((b) => b.items)).toEqual(many.map((_, i) => i));
  });
  it('cuts at the size bound, and a state over the bound alone goes alone', () => {
    const big = desiredState({ username: 'web999', resellerId: 'r', sequence: 1, indexPage: 'p'.repeat(30_000) });
    const { batches } = planBatches('s', [many[0]!, big, many[1]!], { maxUsers: 50, maxChars: 20_000 });
    expect(batches.map((b) => b.items)).toEqual([[0], [1], [2]]);
    for (const b of batches) expect(b.items.length === 1 || b.statesB64.length <= 20_000).toBe(true);
  });
});
