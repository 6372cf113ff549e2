import { DEFAULT_REGISTRATION_EMAIL } from '../../domain/controlpanel/templates';
import { NotFoundError, ValidationError, type FieldErrors } from '../../domain/errors';
import { MAIL_TAGS, tagErrors, tagsIn } from '../../domain/tags';
import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import type { ControlPanelDeps } from '../controlpanel/deps';
import { setUserPassword } from '../controlpanel/users';
import { queueRegistrationEmail } from './registration';

/** POST /users/{username}/registration-email: the e-mail again, its text changed for this one send if given. */
export async function resendRegistrationEmail(
  deps: ControlPanelDeps,
  actor: Principal,
  username: string,
  input: { subject?: string; text?: string; to?: string; newPassword?: boolean },
) {
  const resellerId = resellerOf(actor);
  const user = await deps.users.get(resellerId, username);
  if (!user) throw new NotFoundError('user not found');
  const [reseller, template, fallback] = await Promise.all([
    deps.resellers.get(resellerId),
    user.templateId ? deps.templates.get(resellerId, user.templateId) : Promise.resolve(undefined),
    deps.settings.getDefaultRegistrationEmail(resellerId),
  ]);
  if (!reseller) throw new NotFoundError('account not found');
  const base = template?.registrationEmail ?? fallback ?? DEFAULT_REGISTRATION_EMAIL;
  const mail = { subject: input.subject ?? base.subject, text: input.text ?? base.text };
  const errors: FieldErrors = tagErrors({ subject: input.subject, text: input.text }, MAIL_TAGS);
  // The panel keeps only a hash: a password is sent only when this request sets a new one.
  if (!input.newPassword) {
    for (const f of ['subject', 'text'] as const) {
      if (!errors[f] && tagsIn(mail[f]).includes('password')) {
        errors[input[f] === undefined ? 'newPassword' : f] =
          `##password## needs newPassword: true (a new password is generated and sent; the current one is not known)${input[f] === undefined ? ` — the ${f} of the registration e-mail uses it` : ''}`;
      }
    }
  }
  if (Object.keys(errors).length) throw new ValidationError('the registration e-mail is not valid', errors);
  const password = input.newPassword ? (await setUserPassword(deps, actor, username, undefined)).password : undefined;
  const message = await queueRegistrationEmail(deps, resellerId, user, reseller, mail, { password, to: input.to });
  await deps.outbox.putSingle(resellerId, message);
  await deps.messages.write(resellerId, { type: 'notice', text: `registration e-mail to ${username} queued (${message.id})`, subject: { user: username } }, deps.clock.now());
  return { messageId: message.id, status: 'queued' as const, to: message.to, ...(password ? { password } : {}) };
}

