import type { Clock } from '../../shared/ports/clock';
import { FUNCTIONS, type FunctionSpec } from '../functions-manifest';

export interface JobRun {
  job: string;
  day: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

type JobHandler = (event: Record<string, unknown>) => Promise<unknown>;

/** The period of a `rate(N unit)` expression in milliseconds, or undefined for cron/at expressions. */
export function ratePeriodMs(expression: string | undefined): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression ?? '');
  if (!m) return undefined;
  const unit = m[2]!.startsWith('minute') ? 60_000 : m[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The local stand-in for EventBridge Scheduler: every scheduled function of the manifest runs once
 * per day of the (dev) clock, shortly after midnight UTC. When the dev clock jumps ahead, each day
 * that passed is run in order, as a real deployment would have run them. Jobs are idempotent, so a
 * repeated day charges nothing twice.
 */
export class LocalScheduler {
  private lastDay: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<JobRun[]> = Promise.resolve([]);
  readonly history: JobRun[] = [];
  private rateTimers: NodeJS.Timeout[] = [];
  private rateRuns = new Map<string, { running: Promise<unknown>; again: boolean; active: boolean }>();

  constructor(
    private readonly clock: Clock,
    private readonly jobs: readonly FunctionSpec[] = FUNCTIONS.filter((f) => f.schedule),
    private readonly load: (spec: FunctionSpec) => Promise<JobHandler> = loadFunction,
    private readonly log: (line: string) => void = () => undefined,
    /**
     * A job that fans out answers the ids of the runs it started (`runId` / `runIds`); the day is
     * done when they are finished, so the next day starts on a finished one (as the dev clock needs).
     */
    private readonly awaitRun: (runId: string) => Promise<void> = async () => undefined,
  ) {
    this.lastDay = dayOf(clock.now());
  }

  start(intervalMs = 30_000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Jobs with a `rate(...)` schedule (e.g. the provisioning worker, every minute) run on an interval
   * of their own: their period, or `everyMs` when given (the local runtime runs them more often).
   * They are not part of the daily runs.
   */
  startRateJobs(everyMs?: number): void {
    for (const spec of this.jobs) {
      const period = ratePeriodMs(spec.schedule?.expression);
      if (period === undefined) continue;
      const t = setInterval(() => void this.runRateJob(spec.name), everyMs ?? period);
      t.unref();
      this.rateTimers.push(t);
    }
  }

  /**
   * Runs a rate job now; runs never overlap: a call while one runs asks for one more run after it
   * (so a change made during a run is picked up right after). Resolves when that run is done.
   */
  runRateJob(name: string): Promise<unknown> {
    const spec = this.jobs.find((j) => j.name === name);
    if (!spec) return Promise.resolve(undefined);
    let state = this.rateRuns.get(name);
    if (!state) {
      state = { running: Promise.resolve(), again: false, active: false };
      this.rateRuns.set(name, state);
    }
    const st = state;
    if (st.active) {
      st.again = true;
      return st.running;
    }
    st.active = true;
    st.running = (async () => {
      let result: unknown;
      do {
        st.again = false;
        try {
          const handler = await this.load(spec);
          result = await handler({ ...(spec.schedule?.input ?? {}), source: 'schedule', job: spec.name, scheduledTime: this.clock.now().toISOString() });
        } catch (e) {
          this.log(`job ${spec.name}: FAILED ${(e as Error).message}`);
        }
      } while (st.again);
      st.active = false;
      return result;
    })();
    return st.running;
  }

  stop(): Promise<unknown> {
    if (this.timer) clearInterval(this.timer);
    for (const t of this.rateTimers) clearInterval(t);
    return Promise.all([this.running, ...[...this.rateRuns.values()].map((r) => r.running)]);
  }

  /**
   * The days up to `day` count as run without running them: a test runtime whose fresh dev clock
   * starts at a later day has nothing to do on the days before (every job is idempotent anyway).
   */
  skipTo(day: string): void {
    if (day > this.lastDay) this.lastDay = day;
  }

  /** Runs every day from the last one seen up to today (by the clock). */
  tick(): Promise<JobRun[]> {
    this.running = this.running.then(async () => {
      const today = dayOf(this.clock.now());
      const runs: JobRun[] = [];
      while (this.lastDay < today) {
        this.lastDay = nextDay(this.lastDay);
        runs.push(...(await this.runDay(this.lastDay)));
      }
      return runs;
    });
    return this.running;
  }

  /** Runs one job (or all) for one day now, whatever the clock says: for operators and tests. */
  async runDay(day: string, only?: string): Promise<JobRun[]> {
    const runs: JobRun[] = [];
    for (const spec of this.jobs) {
      if (only && spec.name !== only) continue;
      // rate(...) jobs run on their own interval (startRateJobs), not once a day; asked for by name, they run.
      if (!only && ratePeriodMs(spec.schedule?.expression) !== undefined) continue;
      // The schedule's input, with the placeholders EventBridge would fill filled in here.
      const event = { ...(spec.schedule?.input ?? {}), source: 'schedule', job: spec.name, scheduledTime: `${day}T00:15:00Z` };
      try {
        const handler = await this.load(spec);
        const result = await handler(event);
        for (const runId of runIdsOf(result)) await this.awaitRun(runId);
        runs.push({ job: spec.name, day, ok: true, result });
        this.log(`job ${spec.name} for ${day}: done`);
      } catch (e) {
        runs.push({ job: spec.name, day, ok: false, error: (e as Error).message });
        this.log(`job ${spec.name} for ${day}: FAILED ${(e as Error).message}`);
      }
    }
    this.history.push(...runs);
    return runs;
  }
}

function runIdsOf(result: unknown): string[] {
  if (!result || typeof result !== 'object') return [];
  const r = result as { runId?: unknown; runIds?: unknown };
  const ids = [r.runId, ...(Array.isArray(r.runIds) ? r.runIds : [])];
  return ids.filter((x): x is string => typeof x === 'string');
}

/** The exported handler of a manifest entry, imported as the Lambda runtime would. */
export async function loadFunction(spec: FunctionSpec): Promise<JobHandler> {
  const mod = (await import(/* @vite-ignore */ `../../${spec.entry}`)) as Record<string, unknown>;
  const fn = mod[spec.handler];
  if (typeof fn !== 'function') throw new Error(`${spec.entry} does not export ${spec.handler}`);
  return (event) => (fn as (e: unknown, c: unknown) => Promise<unknown>)(event, {});
}
