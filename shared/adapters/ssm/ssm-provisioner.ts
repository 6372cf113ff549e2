/**
 * Provisioner over SSM Run Command: SendCommand with the provisioning document (see
 * infra/provisioning/ssm-document.ts) to the server's managed instance, then GetCommandInvocation
 * until a terminal status. The SSMClient is injected, never created here.
 *
 * SSM keeps at most 24,000 characters of a command's standard output in GetCommandInvocation; the
 * rest only goes to the S3 bucket or CloudWatch log group given in SendCommand. An apply answers
 * one short line; a usage report of a large server can be longer, so configure an output bucket or
 * log group and pass `readFullOutput` to fetch it (the adapter has no S3/Logs client of its own).
 */
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
  type SendCommandCommandInput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { DesiredState } from '../../domain/provisioning/desired-state';
import {
  DATE_PATTERN,
  encodeForSending,
  parseApplyOutput,
  parseReportOutput,
} from '../../domain/provisioning/script-result';
import { parseBatchOutput } from '../../domain/provisioning/batch';
import type { ApplyResult, ProvisionFailure, Provisioner, UsageReport } from '../../ports/provisioner';

/** Characters of standard output that GetCommandInvocation returns at most. */
export const SSM_INLINE_OUTPUT_LIMIT = 24_000;

export interface FullOutputLocation {
  commandId: string;
  instanceId: string;
  /** S3 URL of the standard output, when an output bucket was configured. */
  standardOutputUrl?: string;
  outputS3BucketName?: string;
  outputS3KeyPrefix?: string;
  cloudWatchLogGroupName?: string;
}

export interface SsmProvisionerOptions {
  client: SSMClient;
  documentName: string;
  documentVersion?: string;
  /** Maps a server id to its SSM managed-instance id (the servers registry); default: the id itself. */
  resolveInstanceId?: (serverId: string) => string | Promise<string>;
  outputS3BucketName?: string;
  outputS3KeyPrefix?: string;
  cloudWatchLogGroupName?: string;
  /** Reads the complete standard output when SSM truncated it (from S3 or CloudWatch). */
  readFullOutput?: (location: FullOutputLocation) => Promise<string | undefined>;
  /** Milliseconds between GetCommandInvocation calls (default 2000). */
  pollIntervalMs?: number;
  /** Give up waiting after this long (default 10 min); the command is then cancelled. */
  timeoutMs?: number;
  /** SendCommand's delivery timeout in seconds (default 600). */
  deliveryTimeoutSeconds?: number;
  /** SendCommand MaxConcurrency / MaxErrors (defaults "1" and "0": one server, no error tolerated). */
  maxConcurrency?: string;
  maxErrors?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;
const PENDING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'TooManyUpdates', 'RequestLimitExceeded']);
const NOT_RETRYABLE = new Set([
  'InvalidDocument',
  'InvalidDocumentVersion',
  'InvalidParameters',
  'InvalidRole',
  'InvalidOutputFolder',
  'InvalidNotificationConfig',
  'AccessDeniedException',
  'UnsupportedPlatformType',
]);

type Action =
  | { kind: 'apply'; stateB64: string; comment: string }
  | { kind: 'apply-batch'; statesB64: string; comment: string }
  | { kind: 'report'; date: string; comment: string };
interface Finished {
  commandId: string;
  instanceId: string;
  invocation: GetCommandInvocationCommandOutput;
}

function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? 'Error';
}
function errorMessage(e: unknown): string {
  return (e as { message?: string })?.message ?? String(e);
}
function isThrottling(e: unknown): boolean {
  return THROTTLING.has(errorName(e)) || (e as { $retryable?: { throttling?: boolean } })?.$retryable?.throttling === true;
}

export class SsmProvisioner implements Provisioner {
  private readonly o: Required<Pick<SsmProvisionerOptions, 'pollIntervalMs' | 'timeoutMs' | 'deliveryTimeoutSeconds' | 'maxConcurrency' | 'maxErrors'>> &
    SsmProvisionerOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: SsmProvisionerOptions) {
    this.o = {
      pollIntervalMs: 2000,
      timeoutMs: 10 * 60_000,
      deliveryTimeoutSeconds: 600,
      maxConcurrency: '1',
      maxErrors: '0',
      ...options,
    };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? (() => Date.now());
  }

  async apply(serverId: string, state: DesiredState): Promise<ApplyResult> {
    const encoded = encodeForSending(serverId, state);
    if ('ok' in encoded) return encoded;
    const done = await this.run(serverId, {
      kind: 'apply',
      stateB64: encoded.stateB64,
      comment: `reseller-panel apply ${state.username} #${state.sequence}`,
    });
    if ('ok' in done) return done;
    const stdout = await this.fullOutput(done);
    const exit = done.invocation.Status === 'Success' ? 0 : done.invocation.ResponseCode ?? 1;
    const result = parseApplyOutput(serverId, stdout, exit, done.invocation.StandardErrorContent ?? '', done.commandId);
    return result.ok ? result : this.explain(result, done, stdout);
  }

  /**
   * One SendCommand for many users of the server: the states travel in the `states` parameter, the
   * answer is one line per state. An answer over SSM's inline limit is read in full from the log
   * group (readFullOutput); when it cannot be read, the states without a line fail retryably.
   */
  async applyBatch(serverId: string, states: readonly DesiredState[]): Promise<ApplyResult[]> {
    const encoded = states.map((s) => encodeForSending(serverId, s));
    const sendable = states.filter((_, i) => !('ok' in (encoded[i] as object)));
    const b64 = encoded.flatMap((e) => ('ok' in e ? [] : [e.stateB64]));
    let sent: ApplyResult[] = [];
    if (b64.length) {
      const done = await this.run(serverId, {
        kind: 'apply-batch',
        statesB64: b64.join(' '),
        comment: `reseller-panel apply-batch ${sendable.length} users`,
      });
      if ('ok' in done) {
        sent = sendable.map(() => done);
      } else {
        const stdout = await this.fullOutput(done);
        const exit = done.invocation.Status === 'Success' ? 0 : done.invocation.ResponseCode ?? 1;
        sent = parseBatchOutput(serverId, sendable, stdout, exit, done.invocation.StandardErrorContent ?? '', done.commandId)
          .map((r) => (r.ok ? r : this.explain(r, done, stdout)));
      }
    }
    let next = 0;
    return encoded.map((e) => ('ok' in e ? e : (sent[next++] as ApplyResult)));
  }

  async report(serverId: string, date: string): Promise<UsageReport> {
    if (!DATE_PATTERN.test(date)) return { ok: false, serverId, error: `date must be YYYY-MM-DD: ${date}`, retryable: false };
    const done = await this.run(serverId, { kind: 'report', date, comment: `reseller-panel report ${date}` });
    if ('ok' in done) return done;
    const stdout = await this.fullOutput(done);
    const exit = done.invocation.Status === 'Success' ? 0 : done.invocation.ResponseCode ?? 1;
    const result = parseReportOutput(serverId, stdout, exit, done.invocation.StandardErrorContent ?? '', done.commandId);
    return result.ok ? result : this.explain(result, done, stdout);
  }

  /** Adds SSM's own status to a failure whose output did not say why. */
  private explain(result: ProvisionFailure, done: Finished, stdout: string): ProvisionFailure {
    const status = done.invocation.Status ?? 'unknown';
    if (status === 'Success' && stdout.length >= SSM_INLINE_OUTPUT_LIMIT && !this.o.readFullOutput) {
      return { ...result, error: `SSM command ${done.commandId} succeeded but its output was truncated by SSM; configure an output bucket or log group and readFullOutput`, retryable: false };
    }
    if (status === 'Success') {
      return { ...result, error: `SSM command ${done.commandId} succeeded but its output could not be read: ${result.error}` };
    }
    return { ...result, error: `SSM command ${done.commandId} ${status}: ${result.error}` };
  }

  private async fullOutput(done: Finished): Promise<string> {
    const inline = done.invocation.StandardOutputContent ?? '';
    if (inline.length < SSM_INLINE_OUTPUT_LIMIT || !this.o.readFullOutput) return inline;
    try {
      const full = await this.o.readFullOutput({
        commandId: done.commandId,
        instanceId: done.instanceId,
        ...(done.invocation.StandardOutputUrl ? { standardOutputUrl: done.invocation.StandardOutputUrl } : {}),
        ...(this.o.outputS3BucketName ? { outputS3BucketName: this.o.outputS3BucketName } : {}),
        ...(this.o.outputS3KeyPrefix ? { outputS3KeyPrefix: this.o.outputS3KeyPrefix } : {}),
        ...(this.o.cloudWatchLogGroupName ? { cloudWatchLogGroupName: this.o.cloudWatchLogGroupName } : {}),
      });
      return full ?? inline;
    } catch {
      return inline;
    }
  }

  private failure(serverId: string, error: string, retryable: boolean, commandId?: string): ProvisionFailure {
    return commandId === undefined ? { ok: false, serverId, error, retryable } : { ok: false, serverId, error, retryable, commandId };
  }

  private async run(serverId: string, action: Action): Promise<Finished | ProvisionFailure> {
    let instanceId: string;
    try {
      instanceId = await (this.o.resolveInstanceId ?? ((id: string) => id))(serverId);
    } catch (e) {
      return this.failure(serverId, `managed instance of server ${serverId} could not be found: ${errorMessage(e)}`, true);
    }
    if (!INSTANCE_ID.test(instanceId)) {
      return this.failure(serverId, `server ${serverId} has no valid SSM managed-instance id (${instanceId})`, false);
    }

    const input: SendCommandCommandInput = {
      DocumentName: this.o.documentName,
      ...(this.o.documentVersion ? { DocumentVersion: this.o.documentVersion } : {}),
      InstanceIds: [instanceId],
      Parameters:
        action.kind === 'apply'
          ? { action: ['apply'], state: [action.stateB64], date: [''] }
          : action.kind === 'apply-batch'
            ? { action: ['apply-batch'], states: [action.statesB64], state: [''], date: [''] }
            : { action: ['report'], state: [''], date: [action.date] },
      MaxConcurrency: this.o.maxConcurrency,
      MaxErrors: this.o.maxErrors,
      TimeoutSeconds: this.o.deliveryTimeoutSeconds,
      Comment: action.comment.slice(0, 100),
      ...(this.o.outputS3BucketName ? { OutputS3BucketName: this.o.outputS3BucketName } : {}),
      ...(this.o.outputS3KeyPrefix ? { OutputS3KeyPrefix: this.o.outputS3KeyPrefix } : {}),
      ...(this.o.cloudWatchLogGroupName
        ? { CloudWatchOutputConfig: { CloudWatchLogGroupName: this.o.cloudWatchLogGroupName, CloudWatchOutputEnabled: true } }
        : {}),
    };

    let commandId: string;
    try {
      const sent = await this.o.client.send(new SendCommandCommand(input));
      const id = sent.Command?.CommandId;
      if (!id) return this.failure(serverId, 'SSM SendCommand returned no command id', true);
      commandId = id;
    } catch (e) {
      const name = errorName(e);
      if (isThrottling(e)) return this.failure(serverId, `SSM throttled SendCommand (${name}): ${errorMessage(e)}`, true);
      if (name === 'InvalidInstanceId') {
        return this.failure(serverId, `server ${serverId} (${instanceId}) is not a running managed instance: ${errorMessage(e)}`, true);
      }
      return this.failure(serverId, `SSM SendCommand failed (${name}): ${errorMessage(e)}`, !NOT_RETRYABLE.has(name));
    }

    const started = this.now();
    let lastProblem = '';
    for (;;) {
      if (this.now() - started >= this.o.timeoutMs) {
        try {
          await this.o.client.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }));
        } catch {
          // best effort: the script is idempotent, a late run does no harm
        }
        return this.failure(
          serverId,
          `SSM command ${commandId} did not finish within ${this.o.timeoutMs} ms${lastProblem ? ` (${lastProblem})` : ''}; cancelled`,
          true,
          commandId,
        );
      }
      await this.sleep(this.o.pollIntervalMs);
      let invocation: GetCommandInvocationCommandOutput;
      try {
        invocation = await this.o.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      } catch (e) {
        // Right after SendCommand the invocation may not exist yet; throttling passes too.
        lastProblem = `${errorName(e)}: ${errorMessage(e)}`;
        if (errorName(e) === 'InvocationDoesNotExist' || isThrottling(e) || (e as { $fault?: string })?.$fault === 'server') continue;
        return this.failure(serverId, `SSM GetCommandInvocation failed (${lastProblem})`, true, commandId);
      }
      const status = invocation.Status ?? 'Pending';
      if (PENDING.has(status)) continue;
      if (status === 'Success' || status === 'Failed') return { commandId, instanceId, invocation };
      const details = invocation.StatusDetails && invocation.StatusDetails !== status ? ` (${invocation.StatusDetails})` : '';
      const retryable = !['InvalidPlatform', 'AccessDenied'].includes(invocation.StatusDetails ?? '');
      const what = status === 'TimedOut' ? 'timed out' : status === 'Cancelled' ? 'was cancelled' : `ended ${status}`;
      return this.failure(serverId, `SSM command ${commandId} ${what}${details} on ${instanceId}`, retryable, commandId);
    }
  }
}
