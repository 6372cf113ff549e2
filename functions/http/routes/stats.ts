import * as z from 'zod';
import { resellerTraffic, userDailyStats, userStats } from '../../../shared/app/stats/stats';
import { route } from '../route';
import { pageQuery } from './common';
import { usernameParam } from './users';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM' }).optional();
const monthQuery = z.strictObject({ month });

export const statsRoutes = [
  route({
    method: 'GET',
    path: '/stats/users',
    access: 'reseller',
    tag: 'stats',
    summary: "User Stats: each user's storage used and this month's traffic against the limits; exceeders=true shows only users over a limit",
    query: pageQuery.extend({
      search: z.string().max(20).optional(),
      exceeders: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
      month,
    }),
    status: 200,
    handle: ({ deps, actor, query }) =>
      userStats(deps, actor, {
        search: query.search || undefined,
        exceeders: query.exceeders === 'true',
        month: query.month,
        limit: query.limit,
        cursor: query.cursor,
      }),
  }),
  route({
    method: 'GET',
    path: '/stats/traffic',
    access: 'reseller',
    tag: 'stats',
    summary: 'Traffic: web and FTP traffic of each day of the month (deleted users included), the monthly summary and the two preceding months',
    query: monthQuery,
    status: 200,
    handle: ({ deps, actor, query }) => resellerTraffic(deps, actor, { month: query.month }),
  }),
  route({
    method: 'GET',
    path: '/users/{username}/stats',
    access: 'reseller',
    tag: 'stats',
    summary: "One user's daily web and FTP traffic and disk use of the month (also for a deleted user)",
    params: usernameParam,
    query: monthQuery,
    status: 200,
    handle: ({ deps, actor, params, query }) => userDailyStats(deps, actor, params.username as string, { month: query.month }),
  }),
];
