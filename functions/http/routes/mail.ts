import * as z from 'zod';
import { getCircular, listCirculars, reviewRecipients, sendCircular } from '../../../shared/app/mail/circulars';
import { getOutboxMessage } from '../../../shared/app/mail/registration';
import { circularInputSchema } from '../../../shared/domain/mail/circulars';
import { MAIL_STATUSES, OUTBOX_STATUSES } from '../../../shared/domain/mail/outbox';
import { route } from '../route';
import { idParam, pageQuery } from './common';

const circularIdParam = idParam('circularId', /^[0-9a-z]{9,20}$/, 'a circular id');
const messageIdParam = idParam('messageId', /^(m-[a-z0-9]{1,40}|c-[a-z0-9]{1,40}-web[0-9]{1,12})$/, 'an outbox message id');

const circularSchema = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(['preparing', 'sending', 'done']),
  createdAt: z.string(),
  recipients: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  remaining: z.number().int(),
  skipped: z.number().int(),
  excluded: z.number().int(),
});

/** Circulars (the seed's "Circular to All Users") and the outbox; served by the default function (tag mail). */
export const circularRoutes = [
  route({
    method: 'GET',
    path: '/circulars/recipients',
    access: 'reseller',
    scopes: ['mail:read'],
    tag: 'mail',
    summary: 'Step 2 of a circular: the users it goes to, a page at a time, with their mail status (bounced and complaining addresses are skipped)',
    query: pageQuery,
    status: 200,
    response: z.object({
      items: z.array(z.object({ username: z.string(), name: z.string(), email: z.string(), mailStatus: z.enum(MAIL_STATUSES), willReceive: z.boolean() })),
      nextCursor: z.string().nullable(),
    }),
    handle: ({ deps, actor, query }) => reviewRecipients(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/circulars',
    access: 'reseller',
    idempotent: true,
    scopes: ['mail:write'],
    tag: 'mail',
    summary:
      'Send a circular to every user except those left out (##tags## of the registration e-mail except ##password##). ' +
      'Answers 202 at once; the e-mails go out in the background at the SES rate (GET /circulars/{circularId} shows the progress).',
    body: circularInputSchema,
    example: { subject: 'Maintenance on Sunday', text: 'Dear ##firstName##, your sites on ##domains## will be down for an hour.', exclude: [] },
    status: 202,
    response: z.object({ id: z.string(), status: z.literal('preparing') }),
    handle: ({ deps, actor, body }) => sendCircular(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/circulars',
    access: 'reseller',
    scopes: ['mail:read'],
    tag: 'mail',
    summary: 'Your circulars, newest first, with their progress',
    query: pageQuery,
    status: 200,
    response: z.object({ items: z.array(circularSchema), nextCursor: z.string().nullable() }),
    handle: ({ deps, actor, query }) => listCirculars(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/circulars/{circularId}',
    access: 'reseller',
    scopes: ['mail:read'],
    tag: 'mail',
    summary: 'A circular: status (preparing, sending, done), sent, failed, remaining, and the failures with their reasons (paged)',
    params: circularIdParam,
    query: pageQuery,
    status: 200,
    response: circularSchema.extend({
      failures: z.array(z.object({ username: z.string(), to: z.string(), reason: z.string(), at: z.string() })),
      failuresCursor: z.string().nullable(),
    }),
    handle: ({ deps, actor, params, query }) => getCircular(deps, actor, params.circularId as string, query),
  }),
  route({
    method: 'GET',
    path: '/outbox/{messageId}',
    access: 'reseller',
    scopes: ['mail:read'],
    tag: 'mail',
    summary: 'One outbox message (a registration e-mail or a recipient of a circular): queued, sending, sent (with the SES message id) or failed (with the reason)',
    params: messageIdParam,
    status: 200,
    response: z.object({
      id: z.string(),
      kind: z.enum(['registration', 'circular']),
      username: z.string(),
      to: z.string(),
      subject: z.string().optional(),
      status: z.enum(OUTBOX_STATUSES),
      attempts: z.number().int(),
      sesMessageId: z.string().optional(),
      reason: z.string().optional(),
      createdAt: z.string().optional(),
      sentAt: z.string().optional(),
      failedAt: z.string().optional(),
      bounce: z.object({ status: z.enum(['bounced', 'complained']), address: z.string(), at: z.string(), reason: z.string() }).optional(),
    }),
    handle: ({ deps, actor, params }) => getOutboxMessage(deps, actor, params.messageId as string),
  }),
];

