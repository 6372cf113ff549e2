import type { ThrottleCount, ThrottleScope } from '../domain/login-throttle';

/** Counters of sign-in attempts, shared by every process (DynamoDB, with a TTL). */
export interface LoginThrottle {
  /** Counts one attempt of `subject`, opening a new window when there is none at `now`. */
  count(scope: ThrottleScope, subject: string, now: Date, windowSeconds: number): Promise<ThrottleCount>;
  /** A successful sign-in: the username's attempts are cleared, the address gets this one back. */
  succeeded(username: string, address: string): Promise<void>;
}
