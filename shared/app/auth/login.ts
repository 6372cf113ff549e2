import { ConflictError, TooManyAttemptsError, UnauthorizedError, ValidationError } from '../../domain/errors';
import { LOGIN_THROTTLE, throttleRefusal, type ThrottleLimits } from '../../domain/login-throttle';
import { passwordProblem } from '../../domain/password';
import type { Token } from '../../ports/identity';
import type { LoginThrottle } from '../../ports/login-throttle';
import type { CoreDeps } from '../deps';

/**
 * One answer for every failure, so a caller cannot learn which login names exist. A one-time
 * password (the operator a deploy created) answers 409 NEW_PASSWORD_REQUIRED; the same request with
 * `newPassword` sets the real password and signs in.
 *
 * Throttled per username and per source address before the password is checked: a refused attempt
 * costs two counter writes and no password hash (the hash runs in libuv's small thread pool, which
 * every other request of the process needs too).
 */
export async function login(
  deps: Pick<CoreDeps, 'identity' | 'passwordPolicy'> & { loginThrottle: LoginThrottle; loginLimits: ThrottleLimits },
  input: { username: string; password: string; newPassword?: string; address: string },
): Promise<Token> {
  if (input.newPassword !== undefined) {
    const problem = passwordProblem(input.newPassword, deps.passwordPolicy, input.username);
    if (problem) throw ValidationError.field('newPassword', problem);
  }
  // Real time, not the dev clock: sign-in windows are about sessions, like token lifetimes.
  const now = new Date();
  const [username, address] = await Promise.all([
    deps.loginThrottle.count('username', input.username, now, LOGIN_THROTTLE.windowSeconds),
    deps.loginThrottle.count('address', input.address, now, LOGIN_THROTTLE.windowSeconds),
  ]);
  const wait = throttleRefusal({ username, address }, now, deps.loginLimits);
  if (wait !== undefined) throw new TooManyAttemptsError(`too many sign-in attempts; try again in ${wait} s`, wait);

  const out = await deps.identity.authenticate(input.username, input.password, input.newPassword);
  if (out === 'NEW_PASSWORD_REQUIRED') {
    throw new ConflictError('this is a one-time password: send it again with newPassword', 'NEW_PASSWORD_REQUIRED', {
      newPassword: 'is required to replace the one-time password',
    });
  }
  if (!out) throw new UnauthorizedError('wrong username or password');
  await deps.loginThrottle.succeeded(input.username, input.address);
  return out;
}
