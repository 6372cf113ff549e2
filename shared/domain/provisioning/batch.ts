/**
 * Batches: many users' desired states of ONE server in one command (`provision.sh apply-batch`),
 * so a push of a server's thousand users is twenty SSM commands, not a thousand. Pure.
 *
 * A batch holds at most `maxUsers` states and at most `maxChars` characters of encoded states (the
 * one `states` parameter: base64 states separated by spaces), a bound under SSM's limit on a
 * command's parameters and under Linux's limit on one argument for the local agent (128 KiB). A
 * state larger than the bound on its own goes alone (it went alone before batches too).
 */
import type { DesiredState } from './desired-state';
import { encodeForSending, lastJsonLine, parseApplyOutput, type ApplyResult, type ProvisionFailure } from './script-result';

export interface BatchLimits {
  maxUsers: number;
  maxChars: number;
}

/** 50 users or 48 KiB of encoded states per command. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxUsers: 50, maxChars: 48 * 1024 };

export interface EncodedBatch {
  /** Indexes into the states given, in order. */
  items: number[];
  /** The value of the `states` parameter / `--states-b64` argument. */
  statesB64: string;
}

/**
 * Encodes the states and cuts them into batches. States that cannot be encoded (invalid) come back
 * as failures at their index and are never sent.
 */
export function planBatches(
  serverId: string,
  states: readonly DesiredState[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): { batches: EncodedBatch[]; refused: Map<number, ProvisionFailure> } {
  const batches: EncodedBatch[] = [];
  const refused = new Map<number, ProvisionFailure>();
  let items: number[] = [];
  let parts: string[] = [];
  let chars = 0;
  const flush = () => {
    if (items.length) batches.push({ items, statesB64: parts.join(' ') });
    items = [];
    parts = [];
    chars = 0;
  };
  states.forEach((state, i) => {
    const encoded = encodeForSending(serverId, state);
    if ('ok' in encoded) {
      refused.set(i, encoded);
      return;
    }
    const grown = chars + (items.length ? 1 : 0) + encoded.stateB64.length;
    if (items.length && (items.length >= limits.maxUsers || grown > limits.maxChars)) flush();
    chars += (items.length ? 1 : 0) + encoded.stateB64.length;
    items.push(i);
    parts.push(encoded.stateB64);
  });
  flush();
  return { batches, refused };
}

/**
 * The per-user results of one `apply-batch` run, in the order of `states`. A state without a line
 * (the command was cut short, the output lost) is a retryable failure; a run that failed as a whole
 * fails every state with its message.
 */
export function parseBatchOutput(
  serverId: string,
  states: readonly DesiredState[],
  stdout: string,
  exitCode: number | null,
  stderr = '',
  commandId?: string,
): ApplyResult[] {
  const byItem = new Map<number, Record<string, unknown>>();
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('{"item":')) continue;
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (typeof v.item === 'number') byItem.set(v.item, v);
    } catch {
      // a line cut short: its state is reported missing below
    }
  }
  const tail = lastJsonLine(stdout);
  const whole = byItem.size === 0 && (exitCode !== 0 || tail?.ok !== true)
    ? parseApplyOutput(serverId, stdout, exitCode === 0 ? 1 : exitCode, stderr, commandId)
    : undefined;
  return states.map((state, i) => {
    if (whole && !whole.ok) return whole;
    const line = byItem.get(i);
    if (!line) {
      const f: ProvisionFailure = { ok: false, serverId, error: `no result for ${state.username} in the batch output`, retryable: true };
      return commandId === undefined ? f : { ...f, commandId };
    }
    const result = line.result && typeof line.result === 'object' ? JSON.stringify(line.result) : '';
    const exit = typeof line.exit === 'number' ? line.exit : 1;
    const r = parseApplyOutput(serverId, result, exit, '', commandId);
    if (r.ok && (r.username !== state.username || r.sequence !== state.sequence)) {
      return { ok: false, serverId, error: `batch item ${i} answered for ${r.username} #${r.sequence}, not ${state.username} #${state.sequence}`, retryable: true, ...(commandId ? { commandId } : {}) };
    }
    return r;
  });
}
