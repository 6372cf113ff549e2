import * as z from 'zod';
import { resellerTraffic, userDailyStats, userStats } from '../../../shared/app/stats/stats';
import { route } from '../route';
import { csvReply, toCsv, wantsCsv } from '../csv';
import { pageQuery } from './common';
import { usernameParam } from './users';
import { statsTrafficView, statsUsersView, userStatsView } from '../responses';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM' }).optional();
const monthQuery = z.strictObject({ month });

export const statsRoutes = [
  route({
    method: 'GET',
    path: '/stats/users',
    access: 'reseller',
    scopes: ['stats:read'],
    tag: 'stats',
    summary: "User Stats: each user's storage used and this month's traffic against the limits; exceeders=true shows only users over a limit. Accept: text/csv answers the table as CSV",
    query: pageQuery.extend({
      search: z.string().max(20).optional(),
      exceeders: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
      month,
    }),
    status: 200,
    response: statsUsersView,
    csv: true,
    handle: async ({ deps, actor, query, event }) => {
      const out = await userStats(deps, actor, {
        search: query.search || undefined,
        exceeders: query.exceeders === 'true',
        month: query.month,
        limit: query.limit,
        cursor: query.cursor,
      });
      if (!wantsCsv(event.headers)) return out;
      const csv = toCsv<(typeof out.users)[number]>(
        [
          ['username', (r) => r.username],
          ['name', (r) => r.name],
          ['status', (r) => r.status],
          ['month', () => out.month],
          ['storageUsedMb', (r) => r.storage.usedMb],
          ['storageLimitMb', (r) => r.storage.limitMb],
          ['storageExceeded', (r) => r.storage.exceeded],
          ['webBytes', (r) => r.traffic.webBytes],
          ['ftpBytes', (r) => r.traffic.ftpBytes],
          ['trafficGb', (r) => r.traffic.totalGb],
          ['trafficLimitGb', (r) => r.traffic.limitGb],
          ['trafficExceeded', (r) => r.traffic.exceeded],
        ],
        out.users,
      );
      return csvReply(csv, `user-stats-${out.month}.csv`);
    },
  }),
  route({
    method: 'GET',
    path: '/stats/traffic',
    access: 'reseller',
    scopes: ['stats:read'],
    tag: 'stats',
    summary: 'Traffic: web and FTP traffic of each day of the month (deleted users included), the monthly summary and the two preceding months. Accept: text/csv answers CSV (a period column: the days, then the months)',
    query: monthQuery,
    status: 200,
    response: statsTrafficView,
    csv: true,
    handle: async ({ deps, actor, query, event }) => {
      const out = await resellerTraffic(deps, actor, { month: query.month });
      if (!wantsCsv(event.headers)) return out;
      // The days of the month, then the month's summary and the two preceding months: one table, `period` tells them apart.
      const rows = [...out.days.map((d) => ({ period: d.day, ...d })), ...[out.summary, ...out.previousMonths].map((m) => ({ period: m.month, ...m }))];
      const csv = toCsv<(typeof rows)[number]>(
        [
          ['period', (r) => r.period],
          ['webBytes', (r) => r.webBytes],
          ['ftpBytes', (r) => r.ftpBytes],
          ['totalBytes', (r) => r.totalBytes],
          ['totalGb', (r) => r.totalGb],
        ],
        rows,
      );
      return csvReply(csv, `traffic-${out.month}.csv`);
    },
  }),
  route({
    method: 'GET',
    path: '/users/{username}/stats',
    access: 'reseller',
    scopes: ['stats:read'],
    tag: 'stats',
    summary: "One user's daily web and FTP traffic and disk use of the month (also for a deleted user). Accept: text/csv answers the days as CSV",
    params: usernameParam,
    query: monthQuery,
    status: 200,
    response: userStatsView,
    csv: true,
    handle: async ({ deps, actor, params, query, event }) => {
      const out = await userDailyStats(deps, actor, params.username as string, { month: query.month });
      if (!wantsCsv(event.headers)) return out;
      const csv = toCsv<(typeof out.days)[number]>(
        [
          ['day', (d) => d.day],
          ['webBytes', (d) => d.webBytes],
          ['ftpBytes', (d) => d.ftpBytes],
          ['totalBytes', (d) => d.totalBytes],
          ['diskKb', (d) => d.diskKb],
        ],
        out.days,
      );
      return csvReply(csv, `${out.username}-${out.month}.csv`);
    },
  }),
];
