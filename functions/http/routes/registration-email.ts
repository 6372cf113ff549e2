import * as z from 'zod';
import { resendRegistrationEmail } from '../../../shared/app/mail/resend';
import { mailSubjectSchema, mailTextSchema } from '../../../shared/domain/mail/circulars';
import { emailSchema } from '../../../shared/domain/reseller';
import { reply, route } from '../route';
import { usernameParam } from './users';

/** The registration e-mail again (the seed's step 5, later): served with the users (tag users). */
export const registrationEmailRoutes = [
  route({
    method: 'POST',
    path: '/users/{username}/registration-email',
    access: 'reseller',
    idempotent: true,
    scopes: ['mail:write'],
    tag: 'users',
    summary:
      "Send the user's registration e-mail again, its subject or text changed for this one send if given. " +
      '##password## needs newPassword: true (a new password is generated, set and sent, and returned once). 202 with the outbox message id.',
    params: usernameParam,
    body: z.strictObject({
      subject: mailSubjectSchema.optional(),
      text: mailTextSchema.optional(),
      to: emailSchema.optional(),
      newPassword: z.boolean({ error: 'must be true or false' }).optional(),
    }),
    example: { text: 'Hello ##firstName##, your login is ##username##.' },
    status: 202,
    response: z.object({ messageId: z.string(), status: z.literal('queued'), to: z.string(), password: z.string().optional() }),
    handle: async ({ deps, actor, params, body }) => reply(202, await resendRegistrationEmail(deps, actor, params.username as string, body)),
  }),
];
