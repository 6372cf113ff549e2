import * as z from 'zod';
import { getRun, listRuns, RUN_ID, runPageSchema, runSchema, runsQuery } from '../../../shared/app/runs/runs';
import { listOperatorMessages, recollectSchema, recollectUsage } from '../../../shared/app/stats/usage-operator';
import { messageView, page } from '../responses';
import { route } from '../route';
import { idParam, pageQuery } from './common';

const runIdParam = idParam('runId', RUN_ID, 'a run id such as billing-2027-03-01');

/** Runs of background work (billing days, usage collection, pushes): the operator follows them here. */
export const runRoutes = [
  route({
    method: 'GET',
    path: '/operator/runs',
    access: 'operator',
    tag: 'runs',
    summary: 'Runs of background work, newest day first: planned, done and failed units, started and finished (filter by kind and day)',
    query: z.strictObject({ ...pageQuery.shape, ...runsQuery.shape }),
    status: 200,
    response: runPageSchema,
    handle: ({ deps, actor, query }) => listRuns(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/operator/runs/{runId}',
    access: 'operator',
    tag: 'runs',
    summary: 'One run with its exact counts (each unit counted once, however often its message was delivered)',
    params: runIdParam,
    status: 200,
    response: runSchema,
    handle: ({ deps, actor, params }) => getRun(deps, actor, params.runId as string),
  }),
  route({
    method: 'GET',
    path: '/operator/messages',
    access: 'operator',
    tag: 'runs',
    summary: "The operator's message log, newest first: background work that failed for the installation (e.g. a server whose usage of a day could not be collected)",
    query: pageQuery.extend({ type: z.enum(['error', 'notice', 'all']).default('all') }),
    status: 200,
    response: page(messageView),
    handle: ({ deps, actor, query }) =>
      listOperatorMessages(deps, actor, { type: query.type === 'all' ? undefined : query.type, limit: query.limit, cursor: query.cursor }),
  }),
  route({
    method: 'POST',
    path: '/operator/usage/recollect',
    access: 'operator',
    tag: 'runs',
    summary: "Collect one server's usage of a past day again through the usage-collect queue: 202 with the run; days not billed yet are billed at the accounts' next billing day, days already billed stay billed once",
    body: recollectSchema,
    example: { day: '2027-03-05', serverId: 'fra-web-01' },
    status: 202,
    response: z.object({ day: z.string(), serverId: z.string(), run: runSchema }),
    handle: ({ deps, actor, body }) => recollectUsage(deps, actor, body),
  }),
];
