import { ConflictError, UnauthorizedError, ValidationError } from '../../domain/errors';
import { passwordProblem } from '../../domain/password';
import type { Token } from '../../ports/identity';
import type { CoreDeps } from '../deps';

/**
 * One answer for every failure, so a caller cannot learn which login names exist. A one-time
 * password (the operator a deploy created) answers 409 NEW_PASSWORD_REQUIRED; the same request with
 * `newPassword` sets the real password and signs in.
 */
export async function login(
  deps: Pick<CoreDeps, 'identity' | 'passwordPolicy'>,
  input: { username: string; password: string; newPassword?: string },
): Promise<Token> {
  if (input.newPassword !== undefined) {
    const problem = passwordProblem(input.newPassword, deps.passwordPolicy, input.username);
    if (problem) throw ValidationError.field('newPassword', problem);
  }
  const out = await deps.identity.authenticate(input.username, input.password, input.newPassword);
  if (out === 'NEW_PASSWORD_REQUIRED') {
    throw new ConflictError('this is a one-time password: send it again with newPassword', 'NEW_PASSWORD_REQUIRED', {
      newPassword: 'is required to replace the one-time password',
    });
  }
  if (!out) throw new UnauthorizedError('wrong username or password');
  return out;
}
