import type { Page, PageRequest } from './page';

/**
 * A run of background work fanned out through the work queue (a billing day, a day's usage
 * collection, a server push). Planning happens in `planParts` parts (e.g. one per due-shard, or
 * one in all); each part says how many units it planned; workers report each unit's outcome. A
 * planning part and a unit are each counted once however often a message is delivered, so the
 * counts are exact under duplicates, crashes and concurrency. The run is finished when every part
 * is planned and every planned unit is counted.
 */
export interface Run {
  /** Deterministic for the work it stands for (e.g. `billing-2027-03-01`): a repeated start finds it. */
  id: string;
  kind: string;
  day: string;
  planned: number;
  done: number;
  failed: number;
  planParts: number;
  plannedParts: number;
  startedAt: string;
  finishedAt: string | null;
}

export type UnitOutcome = 'done' | 'failed';

export interface RunStore {
  /** Creates the run unless a run with this id exists; either way answers it. */
  start(run: { id: string; kind: string; day: string; planParts: number; startedAt: string }): Promise<{ run: Run; created: boolean }>;
  /**
   * Planning part `part` planned `count` units. Counted once per part; a later, larger count of the
   * same part (a resumed plan that found more) raises it to that count.
   */
  setPlanned(runId: string, part: string, count: number): Promise<void>;
  /** The parts already planned (a resume plans the others). */
  plannedParts(runId: string): Promise<Set<string>>;
  /**
   * Outcomes of units; each unit is counted once, except that a unit counted as failed may later be
   * counted as done (a resumed run that succeeded). Resolves with the units newly counted.
   */
  record(runId: string, outcomes: readonly { unit: string; outcome: UnitOutcome }[]): Promise<number>;
  get(runId: string): Promise<Run | undefined>;
  /** Marks the run finished when it is complete; `finishedNow` only for the one call that did. */
  finishIfComplete(runId: string, at: string): Promise<{ run: Run | undefined; finishedNow: boolean }>;
  /** Runs newest day first, optionally of one kind and/or one day. */
  list(filter: { kind?: string; day?: string }, page: PageRequest): Promise<Page<Run>>;
}

export const isComplete = (r: Run) => r.plannedParts >= r.planParts && r.done + r.failed >= r.planned;
