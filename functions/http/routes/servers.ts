import * as z from 'zod';
import {
  assignServers,
  getServer,
  listServers,
  pushServer,
  pushUser,
  registerServer,
  serversOfReseller,
  updateServer,
} from '../../../shared/app/provisioning/servers';
import { getIndexPage, putIndexPage } from '../../../shared/app/provisioning/settings';
import { HOSTED_USERNAME } from '../../../shared/domain/controlpanel/users';
import { assignServersSchema, createServerSchema, indexPageSchema, SERVER_ID, updateServerSchema } from '../../../shared/domain/provisioning/servers';
import { route } from '../route';
import { idParam } from './common';
import { runSchema } from '../../../shared/app/runs/runs';
import { indexPageView, savedIndexPageView, serverAssignmentView, serverDetailView, serverView } from '../responses';

const serverIdParam = idParam('serverId', SERVER_ID, 'a server id');
const resellerIdParam = idParam('resellerId', /^r[a-f0-9]{20}$/, 'a reseller id');
const usernameParam = idParam('username', HOSTED_USERNAME, 'a hosted username (web<N>)');

/** Managed hosting servers (operator), re-push (operator), and the reseller settings provisioning uses. */
export const serverRoutes = [
  route({
    method: 'POST',
    path: '/operator/servers',
    access: 'operator',
    idempotent: true,
    tag: 'servers',
    summary: 'Register a managed hosting server: id, name, SSM managed-instance id, addresses, capacity (users, -1 unlimited)',
    body: createServerSchema,
    example: { id: 'fra-web-01', name: 'Frankfurt web 01', instanceId: 'mi-0123456789abcdef0', addresses: ['203.0.113.10'], capacity: 500 },
    status: 201,
    response: serverView,
    handle: ({ deps, actor, body }) => registerServer(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/operator/servers',
    access: 'operator',
    tag: 'servers',
    summary: 'List the managed hosting servers with their users count',
    status: 200,
    response: z.object({ items: z.array(serverView) }),
    handle: ({ deps, actor }) => listServers(deps, actor),
  }),
  route({
    method: 'GET',
    path: '/operator/servers/{serverId}',
    access: 'operator',
    tag: 'servers',
    summary: 'View a server and the resellers assigned to it',
    params: serverIdParam,
    status: 200,
    response: serverDetailView,
    handle: ({ deps, actor, params }) => getServer(deps, actor, params.serverId as string),
  }),
  route({
    method: 'PATCH',
    path: '/operator/servers/{serverId}',
    access: 'operator',
    tag: 'servers',
    summary: 'Change name, SSM managed-instance id, addresses, capacity or the default flag of a server',
    params: serverIdParam,
    body: updateServerSchema,
    example: { capacity: 800, addresses: ['203.0.113.10', '2001:db8::10'] },
    status: 200,
    response: serverView,
    handle: ({ deps, actor, params, body }) => updateServer(deps, actor, params.serverId as string, body),
  }),
  route({
    method: 'POST',
    path: '/operator/servers/{serverId}/push',
    access: 'operator',
    tag: 'servers',
    summary: 'Re-push every hosted user of a server through the work queue: 202 with the run (GET /operator/runs/{runId} shows its progress); each user gets a new sequence and becomes pending',
    params: serverIdParam,
    status: 202,
    response: z.object({ serverId: z.string(), run: runSchema }),
    handle: ({ deps, actor, params }) => pushServer(deps, actor, params.serverId as string),
  }),
  route({
    method: 'GET',
    path: '/operator/resellers/{resellerId}/servers',
    access: 'operator',
    tag: 'servers',
    summary: "The reseller's servers: assigned ones, or the installation's default server(s) when none are assigned",
    params: resellerIdParam,
    status: 200,
    response: serverAssignmentView,
    handle: ({ deps, actor, params }) => serversOfReseller(deps, actor, params.resellerId as string),
  }),
  route({
    method: 'PUT',
    path: '/operator/resellers/{resellerId}/servers',
    access: 'operator',
    tag: 'servers',
    summary: 'Assign servers to a reseller (in order of preference): new users go to the first with free capacity',
    params: resellerIdParam,
    body: assignServersSchema,
    example: { serverIds: ['local-1'] },
    status: 200,
    response: serverAssignmentView,
    handle: ({ deps, actor, params, body }) => assignServers(deps, actor, params.resellerId as string, body.serverIds),
  }),
  route({
    method: 'POST',
    path: '/operator/users/{username}/push',
    access: 'operator',
    tag: 'servers',
    summary: 'Re-push one hosted user (any reseller): a new sequence, pending, pushed by the worker',
    params: usernameParam,
    status: 202,
    response: z.object({ username: z.string(), status: z.literal('pending') }),
    handle: ({ deps, actor, params }) => pushUser(deps, actor, params.username as string),
  }),
  route({
    method: 'GET',
    path: '/settings/index-page',
    access: 'reseller',
    scopes: ['settings:read'],
    tag: 'settings',
    summary: "The index page written into each new user's html/index.html (##user## replaced), or null",
    status: 200,
    response: indexPageView,
    handle: ({ deps, actor }) => getIndexPage(deps, actor),
  }),
  route({
    method: 'PUT',
    path: '/settings/index-page',
    access: 'reseller',
    scopes: ['settings:write'],
    tag: 'settings',
    summary: 'Set (or remove with null) the index page: 202 with the run that pushes every user again through the work queue (GET shows its progress)',
    body: indexPageSchema,
    example: { html: '<html><body><h1>Welcome, ##user##</h1></body></html>' },
    status: 202,
    response: savedIndexPageView,
    handle: ({ deps, actor, body }) => putIndexPage(deps, actor, body.html),
  }),
];
