import * as z from 'zod';
import { getRun, listRuns, RUN_ID, runPageSchema, runSchema, runsQuery } from '../../../shared/app/runs/runs';
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
];
