import * as z from 'zod';
import {
  applyTemplate,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  patchUser,
  setUserLocked,
  setUserPassword,
} from '../../../shared/app/controlpanel/users';
import { listOwnIps } from '../../../shared/app/controlpanel/ip-pool';
import { changeUserSchema, createUserSchema, HOSTED_USERNAME, USER_STATUSES } from '../../../shared/domain/controlpanel/users';
import { passwordSchema } from '../../../shared/domain/password';
import { reply, route } from '../route';
import { idParam, pageQuery } from './common';
import { changedUserView, dryRunUserView, createdUserView, page, poolIpView, userPasswordView, userSummaryView, userView } from '../responses';

export const usernameParam = idParam('username', HOSTED_USERNAME, 'a hosted username (web<N>)');

const createExample = {
  limits: { storageMb: 200, pop3Boxes: 5, emailAddresses: 10, ftpUsers: 1 },
  services: { ftp: true, php: true, webmail: true, backup: 'yes' as const },
  personal: {
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'jane@example.com',
    company: 'Doe Ltd',
    showOnHomePage: ['firstName' as const, 'lastName' as const, 'company' as const],
    free1: 'K-1001',
  },
  domains: [{ name: 'jane-doe-example.com', dns: true, dnr: false }],
};

export const userRoutes = [
  route({
    method: 'POST',
    path: '/users',
    access: 'reseller',
    idempotent: true,
    scopes: ['users:write'],
    tag: 'users',
    summary:
      'Create a user (the 5-step wizard): template, limits and services, personal data, domains and IP, password. ' +
      '?dryRun=true validates and reports what would be created and which maximums it would exceed, writing nothing (200).',
    query: z.strictObject({ dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() }),
    body: createUserSchema,
    example: createExample,
    status: 201,
    response: createdUserView,
    otherResponses: { 200: { description: 'dry run: what would be created, nothing written', schema: dryRunUserView } },
    handle: async ({ deps, actor, query, body }) => {
      const dryRun = query.dryRun === 'true';
      const out = await createUser(deps, actor, body, dryRun);
      return out.wouldCreate !== undefined ? reply(200, out) : out;
    },
  }),
  route({
    method: 'GET',
    path: '/users',
    access: 'reseller',
    scopes: ['users:read'],
    tag: 'users',
    summary: 'List users: search by username prefix, status (enabled, locked), domain (prefix); paged with a cursor',
    query: pageQuery.extend({
      search: z.string().regex(/^[a-z0-9]{0,32}$/, { error: 'must be the start of a username (a-z, 0-9)' }).optional(),
      status: z.enum(USER_STATUSES, { error: `must be one of ${USER_STATUSES.join(', ')}` }).optional(),
      domain: z.string().max(253, { error: 'is too long' }).optional(),
    }),
    status: 200,
    response: page(userSummaryView),
    handle: ({ deps, actor, query }) => listUsers(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/users/{username}',
    access: 'reseller',
    scopes: ['users:read'],
    tag: 'users',
    summary: 'View a user',
    params: usernameParam,
    status: 200,
    response: userView,
    handle: ({ deps, actor, params }) => getUser(deps, actor, params.username as string),
  }),
  route({
    method: 'PATCH',
    path: '/users/{username}',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: 'Change personal data, limits, services, FrontPage, MySQL external access, domains (add, remove, DNS/DNR) and the exclusive IP',
    params: usernameParam,
    body: changeUserSchema,
    example: { personal: { phone: '+49 30 1234567' }, services: { webalizer: true } },
    // Raising a billed limit is a purchase: 402 when the credit limit does not cover it.
    errors: [402],
    status: 200,
    response: changedUserView,
    handle: ({ deps, actor, params, body }) => patchUser(deps, actor, params.username as string, body),
  }),
  route({
    method: 'DELETE',
    path: '/users/{username}',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: 'Delete a user: the allocation, domains and IP are given back',
    params: usernameParam,
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await deleteUser(deps, actor, params.username as string);
      return reply(204);
    },
  }),
  route({
    method: 'POST',
    path: '/users/{username}/lock',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: 'Lock a user: every piece of data is kept',
    params: usernameParam,
    status: 200,
    response: changedUserView,
    handle: ({ deps, actor, params }) => setUserLocked(deps, actor, params.username as string, true),
  }),
  route({
    method: 'POST',
    path: '/users/{username}/unlock',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: 'Unlock a user',
    params: usernameParam,
    status: 200,
    response: changedUserView,
    handle: ({ deps, actor, params }) => setUserLocked(deps, actor, params.username as string, false),
  }),
  route({
    method: 'POST',
    path: '/users/{username}/apply-template',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: "Change services using a template: the template's limits and services replace the user's",
    params: usernameParam,
    body: z.strictObject({ templateId: z.string().regex(/^t[a-f0-9]{20}$/, { error: 'must be a template id' }) }),
    example: { templateId: 't0123456789abcdef0123' },
    errors: [402],
    status: 200,
    response: changedUserView,
    handle: ({ deps, actor, params, body }) => applyTemplate(deps, actor, params.username as string, body.templateId),
  }),
  route({
    method: 'POST',
    path: '/users/{username}/password',
    access: 'reseller',
    scopes: ['users:write'],
    tag: 'users',
    summary: 'Set the password of a user: the given one, or a generated one returned once',
    params: usernameParam,
    body: z.strictObject({ password: passwordSchema.optional() }),
    example: { password: 'a-new-long-password' },
    status: 200,
    response: userPasswordView,
    handle: ({ deps, actor, params, body }) => setUserPassword(deps, actor, params.username as string, body.password),
  }),
  route({
    method: 'GET',
    path: '/ips',
    access: 'reseller',
    scopes: ['users:read'],
    tag: 'users',
    summary: 'Your pool of exclusive IP addresses and whom each is assigned to',
    query: pageQuery,
    status: 200,
    response: page(poolIpView),
    handle: ({ deps, actor, query }) => listOwnIps(deps, actor, query),
  }),
];
