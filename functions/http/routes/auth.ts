import * as z from 'zod';
import { login } from '../../../shared/app/auth/login';
import { route } from '../route';
import { tokenView } from '../responses';

export const authRoutes = [
  route({
    method: 'POST',
    path: '/auth/login',
    access: 'public',
    tag: 'auth',
    lambda: 'identity',
    summary: 'Sign in; the same 401 whether the user exists or not; 429 with Retry-After after too many attempts',
    body: z.strictObject({
      username: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(128),
      password: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(1024),
      /** Only to replace a one-time password (answer 409 NEW_PASSWORD_REQUIRED). */
      newPassword: z.string({ error: 'must be a string' }).max(1024).optional(),
    }),
    example: { username: 'acme', password: 'a-long-enough-password' },
    status: 200,
    response: tokenView,
    // The address API Gateway saw (the local server: the socket's peer); never a client header.
    handle: ({ deps, body, event }) => login(deps, { ...body, address: event.requestContext.http.sourceIp || 'unknown' }),
  }),
];
