/**
 * Registration e-mails (the seed's step 5) through the outbox: at creation (in the user's own
 * transaction) or later again, with the text changed for that one send. The text is rendered
 * once, encrypted (it may hold the password) and erased from the outbox once sent or failed.
 * A password is in the text only when the same request set it (given or generated).
 */
import type { RegistrationEmail } from '../../domain/controlpanel/templates';
import { NotFoundError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import type { HostedUser } from '../../domain/controlpanel/users';
import type { Reseller } from '../../domain/reseller';
import { singleMessageId } from '../../domain/mail/outbox';
import { MAIL_TAGS, renderTags } from '../../domain/tags';
import type { SingleMessage } from '../../ports/outbox';
import { MAIL_SEND_QUEUE, textContext, type MailDeps, type SendWork } from './deps';
import { mailValues } from './values';

/**
 * Renders and encrypts the message and enqueues its send work (a second later): the caller stores
 * the returned message (in the user's transaction, or on its own). Enqueued first, so a store that
 * fails leaves only work that finds nothing and ends after the grace, never a message never sent.
 */
export async function queueRegistrationEmail(
  deps: Pick<MailDeps, 'keyCipher' | 'queue' | 'newId' | 'clock'>,
  resellerId: string,
  user: HostedUser,
  reseller: Pick<Reseller, 'username' | 'email'>,
  mail: RegistrationEmail,
  opts: { password?: string; to?: string },
): Promise<SingleMessage> {
  const id = singleMessageId(deps.newId());
  const values = mailValues(user, reseller, opts.password);
  const text = renderTags(mail.text, values, MAIL_TAGS);
  const message: SingleMessage = {
    id,
    kind: 'registration',
    username: user.username,
    to: opts.to ?? user.personal.email,
    replyTo: [reseller.email],
    subject: renderTags(mail.subject, values, MAIL_TAGS),
    encryptedText: await deps.keyCipher.encrypt(Buffer.from(text, 'utf8'), textContext(resellerId, id)),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.queue.send(MAIL_SEND_QUEUE, [{ resellerId, ids: [id], enqueuedAt: Date.now() } satisfies SendWork], { delaySeconds: 1 });
  return message;
}

/** GET /outbox/{messageId}: one outbox message's state (its text is never shown). */
export async function getOutboxMessage(deps: Pick<MailDeps, 'outbox'>, actor: Principal, messageId: string) {
  const m = await deps.outbox.getMessage(resellerOf(actor), messageId);
  if (!m) throw new NotFoundError('message not found');
  return m;
}
