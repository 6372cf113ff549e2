import * as z from 'zod';
import { addPoolIps, listPoolIps, removePoolIp } from '../../../shared/app/controlpanel/ip-pool';
import { ipSchema } from '../../../shared/domain/controlpanel/domains';
import { reply, route } from '../route';
import { pageQuery } from './common';
import { page, poolIpView } from '../responses';

const resellerParam = z.strictObject({ resellerId: z.string().regex(/^r[a-f0-9]{20}$/, { error: 'must be a reseller id' }) });

export const ipPoolRoutes = [
  route({
    method: 'POST',
    path: '/operator/resellers/{resellerId}/ips',
    access: 'operator',
    idempotent: true,
    tag: 'operator',
    summary: "Give a reseller exclusive IP addresses for its users (each address belongs to one reseller)",
    params: resellerParam,
    body: z.strictObject({ ips: z.array(ipSchema).min(1, { error: 'needs at least one address' }).max(40) }),
    example: { ips: ['192.0.2.10', '192.0.2.11'] },
    status: 201,
    response: z.object({ added: z.array(z.string()) }),
    handle: ({ deps, actor, params, body }) => addPoolIps(deps, actor, params.resellerId, body.ips),
  }),
  route({
    method: 'GET',
    path: '/operator/resellers/{resellerId}/ips',
    access: 'operator',
    tag: 'operator',
    summary: "A reseller's pool of exclusive IP addresses and their assignment",
    params: resellerParam,
    query: pageQuery,
    status: 200,
    response: page(poolIpView),
    handle: ({ deps, actor, params, query }) => listPoolIps(deps, actor, params.resellerId, query),
  }),
  route({
    method: 'DELETE',
    path: '/operator/resellers/{resellerId}/ips/{ip}',
    access: 'operator',
    tag: 'operator',
    summary: "Take an address out of a reseller's pool (409 while a user has it)",
    params: resellerParam.extend({ ip: ipSchema }),
    status: 204,
    response: null,
    handle: async ({ deps, actor, params }) => {
      await removePoolIp(deps, actor, params.resellerId, params.ip);
      return reply(204);
    },
  }),
];
