import * as z from 'zod';
import { changePassword, listMessages, setPreferences } from '../../../shared/app/account/account';
import { accountOverview } from '../../../shared/app/account/overview';
import { passwordSchema } from '../../../shared/domain/password';
import { preferencesSchema } from '../../../shared/domain/reseller';
import { PEOPLE_ONLY, reply, route } from '../route';
import { pageQuery } from './common';
import { accountView, messageView, page, preferencesView } from '../responses';

export const accountRoutes = [
  route({
    method: 'GET',
    path: '/account',
    access: 'reseller',
    scopes: ['account:read'],
    tag: 'account',
    summary: 'The reseller overview: for every resource used, maximum, hard limit and exceeded; usage: measured traffic this month and disk',
    status: 200,
    response: accountView,
    handle: ({ deps, actor }) => accountOverview(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/account/password',
    access: 'any',
    scopes: PEOPLE_ONLY,
    lambda: 'identity',
    tag: 'account',
    summary: 'Change the own password: the old one and the new one twice',
    body: z.strictObject({ oldPassword: passwordSchema, newPassword: passwordSchema, newPasswordRepeat: passwordSchema }),
    example: { oldPassword: 'the-old-password', newPassword: 'a-new-long-password', newPasswordRepeat: 'a-new-long-password' },
    status: 204,
    response: null,
    handle: async ({ deps, actor, body }) => {
      await changePassword(deps, actor, body);
      return reply(204);
    },
  }),
  route({
    method: 'PUT',
    path: '/account/preferences',
    access: 'reseller',
    scopes: ['account:write'],
    tag: 'account',
    summary: 'Language and design: the defaults for users created from now on',
    body: preferencesSchema,
    example: { language: 'de', design: 'default' },
    status: 200,
    response: preferencesView,
    handle: ({ deps, actor, body }) => setPreferences(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/account/messages',
    access: 'reseller',
    scopes: ['account:read'],
    tag: 'account',
    summary: 'The message log, newest first: errors and notices',
    query: pageQuery.extend({ type: z.enum(['error', 'notice', 'all']).default('all') }),
    status: 200,
    response: page(messageView),
    handle: ({ deps, actor, query }) =>
      listMessages(deps, actor, {
        type: query.type === 'all' ? undefined : query.type,
        limit: query.limit,
        cursor: query.cursor,
      }),
  }),
];
