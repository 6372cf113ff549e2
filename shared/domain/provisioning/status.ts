/**
 * Provisioning status of a hosted user, as the panel shows it and the worker advances it. Pure.
 *
 * - Every change of the user bumps `sequence` and sets `pending` (same transaction as the change).
 * - The worker pushes the complete desired state with that sequence; it marks `applied` only if the
 *   sequence is still the one pushed, so a newer change stays pending and is pushed next.
 * - A failure sets `failed`, `lastError`, `attempts + 1` and `nextAttemptAt` (exponential backoff);
 *   a failure that can never succeed (`retryable: false`) stays failed until the user is changed or
 *   re-pushed by the operator.
 */
export const PROVISIONING_STATUSES = ['pending', 'applied', 'failed'] as const;
export type ProvisioningStatus = (typeof PROVISIONING_STATUSES)[number];

export interface ProvisioningState {
  /** Increases with every change of the user (and every re-push); the script refuses lower ones. */
  sequence: number;
  status: ProvisioningStatus;
  lastError: string | null;
  /** Failed attempts of the current sequence. */
  attempts: number;
  updatedAt: string;
  /** When the worker tries next (pending/failed and retrying), else null. */
  nextAttemptAt: string | null;
  /** The server the user lives on. */
  serverId: string | null;
  /** The user was deleted: the delete is pushed (files archived), then the status is removed. */
  deleted: boolean;
  /**
   * Locked on the server because the billing account is suspended (credit limit, unconverted
   * trial). Apart from the reseller's own lock (the user's status): lifting one keeps the other.
   */
  billingLocked?: boolean;
}

/** What GET /users and GET /users/{username} show. */
export function provisioningView(p: ProvisioningState | undefined) {
  if (!p) return { status: 'pending' as ProvisioningStatus, lastError: null, attempts: 0, updatedAt: null, nextAttemptAt: null, sequence: 0, billingLocked: false };
  return {
    status: p.status,
    lastError: p.lastError,
    attempts: p.attempts,
    updatedAt: p.updatedAt,
    nextAttemptAt: p.nextAttemptAt,
    sequence: p.sequence,
    billingLocked: p.billingLocked === true,
  };
}
export type ProvisioningView = ReturnType<typeof provisioningView>;

export interface BackoffPolicy {
  /** Delay after the first failure, in seconds (default 30). */
  baseSeconds: number;
  /** Longest delay, in seconds (default 3600). */
  maxSeconds: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 3600 };

/** Seconds to wait after the `attempts`-th failure: base, 2×base, 4×base … capped. */
export function backoffSeconds(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(n - 1, 30));
}

export function nextAttemptAt(now: Date, attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): string {
  return new Date(now.getTime() + backoffSeconds(attempts, policy) * 1000).toISOString();
}
