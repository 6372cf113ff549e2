import * as z from 'zod';
import { NotFoundError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { Run, RunStore } from '../../ports/runs';
import { requireOperator } from '../actor';

/** Run ids are `<kind>-<day>` or `<kind>-<day>-<suffix>`: letters, digits and dashes. */
export const RUN_ID = /^[a-z][a-z0-9-]{2,100}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const runsQuery = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, { error: 'must be a run kind such as billing' }).optional(),
  day: z.string().regex(DAY, { error: 'must be a day YYYY-MM-DD' }).optional(),
});

export const runSchema = z.object({
  id: z.string(),
  kind: z.string(),
  day: z.string(),
  status: z.enum(['planning', 'running', 'finished']),
  planned: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  planParts: z.number().int(),
  plannedParts: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const runPageSchema = z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() });

export function runView(r: Run): z.infer<typeof runSchema> {
  const status = r.finishedAt ? 'finished' : r.plannedParts < r.planParts ? 'planning' : 'running';
  return { ...r, status };
}

export async function listRuns(deps: { runs: RunStore }, actor: Principal, q: z.infer<typeof runsQuery> & { limit: number; cursor?: string }) {
  requireOperator(actor);
  const page = await deps.runs.list({ kind: q.kind, day: q.day }, { limit: q.limit, cursor: q.cursor });
  return { items: page.items.map(runView), nextCursor: page.nextCursor };
}

export async function getRun(deps: { runs: RunStore }, actor: Principal, runId: string) {
  requireOperator(actor);
  const run = await deps.runs.get(runId);
  if (!run) throw new NotFoundError('run not found');
  return runView(run);
}
