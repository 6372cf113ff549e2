/**
 * Sign-in throttling (issue 8): attempts on POST /auth/login are counted per username and per
 * source address, *before* the password is hashed, so a refused attempt costs a counter write and
 * no scrypt. A subject's window opens with its first attempt and lasts `windowSeconds`; past the
 * free attempts of a window every attempt is refused (429, Retry-After = the rest of that window).
 * A successful sign-in clears the username's count and gives the address its attempt back.
 */
export const LOGIN_THROTTLE = {
  windowSeconds: 15 * 60,
  /** Per username: a person mistyping gets five tries per 15 minutes. */
  usernameAttempts: 5,
  /** Per address: room for a busy office behind one NAT, not for a dictionary. */
  addressAttempts: 50,
} as const;

export type ThrottleScope = 'username' | 'address';

/** One subject's count after this attempt, and when its window ends (epoch seconds). */
export interface ThrottleCount {
  attempts: number;
  windowEndsAt: number;
}

export interface ThrottleLimits {
  usernameAttempts: number;
  addressAttempts: number;
}

/**
 * Seconds to wait, or undefined when this attempt (already counted) may go on to the password
 * check. When both are over, the longer wait.
 */
export function throttleRefusal(
  counts: { username: ThrottleCount; address: ThrottleCount },
  now: Date,
  limits: ThrottleLimits = LOGIN_THROTTLE,
): number | undefined {
  const nowSeconds = now.getTime() / 1000;
  const waits = [
    counts.username.attempts > limits.usernameAttempts ? counts.username.windowEndsAt - nowSeconds : undefined,
    counts.address.attempts > limits.addressAttempts ? counts.address.windowEndsAt - nowSeconds : undefined,
  ].filter((w): w is number => w !== undefined);
  if (!waits.length) return undefined;
  return Math.max(1, Math.ceil(Math.max(...waits)));
}

/**
 * LOGIN_ATTEMPTS_PER_USERNAME / LOGIN_ATTEMPTS_PER_ADDRESS (attempts per 15-minute window) override
 * the defaults, e.g. for a test runtime whose every client is 127.0.0.1. Whole numbers 1..100000.
 */
export function loginLimitsFromEnv(env: Record<string, string | undefined>): ThrottleLimits {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`${name} must be a whole number 1..100000 (is ${raw})`);
    return n;
  };
  return {
    usernameAttempts: read('LOGIN_ATTEMPTS_PER_USERNAME', LOGIN_THROTTLE.usernameAttempts),
    addressAttempts: read('LOGIN_ATTEMPTS_PER_ADDRESS', LOGIN_THROTTLE.addressAttempts),
  };
}
