import {
  createReseller,
  getReseller,
  listResellers,
  setResellerLocked,
  updateReseller,
} from '../../../shared/app/operator/resellers';
import { createResellerSchema, updateResellerSchema } from '../../../shared/domain/reseller';
import { route } from '../route';
import { idParam, pageQuery } from './common';
import { createdReseller, page, resellerView } from '../responses';

const resellerId = idParam('resellerId', /^r[a-f0-9]{20}$/, 'a reseller id');

export const operatorRoutes = [
  route({
    method: 'POST',
    path: '/operator/resellers',
    access: 'operator',
    lambda: 'identity',
    tag: 'operator',
    summary: 'Create a reseller with limits (maximum), hard limits and activated features',
    body: createResellerSchema,
    example: {
      username: 'acme',
      password: 'a-long-enough-password',
      email: 'ops@acme.example',
      limits: { users: 50, storageMb: 20000, trafficGb: -1 },
      hardLimits: { users: 60 },
    },
    status: 201,
    response: createdReseller,
    handle: ({ deps, actor, body }) => createReseller(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/operator/resellers',
    access: 'operator',
    tag: 'operator',
    summary: 'List resellers by username',
    query: pageQuery,
    status: 200,
    response: page(resellerView),
    handle: ({ deps, actor, query }) => listResellers(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/operator/resellers/{resellerId}',
    access: 'operator',
    tag: 'operator',
    summary: 'View a reseller with its resource overview',
    params: resellerId,
    status: 200,
    response: resellerView,
    handle: ({ deps, actor, params }) => getReseller(deps, actor, params.resellerId as string),
  }),
  route({
    method: 'PATCH',
    path: '/operator/resellers/{resellerId}',
    access: 'operator',
    tag: 'operator',
    summary: 'Change e-mail, limits, hard limits (merged per resource) or features',
    params: resellerId,
    body: updateResellerSchema,
    example: { limits: { users: 80 }, hardLimits: { users: 100 } },
    status: 200,
    response: resellerView,
    handle: ({ deps, actor, params, body }) => updateReseller(deps, actor, params.resellerId as string, body),
  }),
  route({
    method: 'POST',
    path: '/operator/resellers/{resellerId}/lock',
    access: 'operator',
    lambda: 'identity',
    tag: 'operator',
    summary: 'Lock a reseller: data kept, sign-in refused',
    params: resellerId,
    status: 200,
    response: resellerView,
    handle: ({ deps, actor, params }) => setResellerLocked(deps, actor, params.resellerId as string, true),
  }),
  route({
    method: 'POST',
    path: '/operator/resellers/{resellerId}/unlock',
    access: 'operator',
    lambda: 'identity',
    tag: 'operator',
    summary: 'Unlock a reseller',
    params: resellerId,
    status: 200,
    response: resellerView,
    handle: ({ deps, actor, params }) => setResellerLocked(deps, actor, params.resellerId as string, false),
  }),
];
