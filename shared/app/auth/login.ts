import { UnauthorizedError } from '../../domain/errors';
import type { Token } from '../../ports/identity';
import type { CoreDeps } from '../deps';

/** One answer for every failure, so a caller cannot learn which login names exist. */
export async function login(deps: Pick<CoreDeps, 'identity'>, input: { username: string; password: string }): Promise<Token> {
  const token = await deps.identity.authenticate(input.username, input.password);
  if (!token) throw new UnauthorizedError('wrong username or password');
  return token;
}
