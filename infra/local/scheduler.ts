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

  constructor(
    private readonly clock: Clock,
    private readonly jobs: readonly FunctionSpec[] = FUNCTIONS.filter((f) => f.schedule),
    private readonly load: (spec: FunctionSpec) => Promise<JobHandler> = defaultLoader,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.lastDay = dayOf(clock.now());
  }

  start(intervalMs = 30_000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): Promise<unknown> {
    if (this.timer) clearInterval(this.timer);
    return this.running;
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
      // The schedule's input, with the placeholders EventBridge would fill filled in here.
      const event = { ...(spec.schedule?.input ?? {}), source: 'schedule', job: spec.name, scheduledTime: `${day}T00:15:00Z` };
      try {
        const handler = await this.load(spec);
        const result = await handler(event);
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

async function defaultLoader(spec: FunctionSpec): Promise<JobHandler> {
  const mod = (await import(`../../${spec.entry}`)) as Record<string, unknown>;
  const fn = mod[spec.handler];
  if (typeof fn !== 'function') throw new Error(`${spec.entry} does not export ${spec.handler}`);
  return (event) => (fn as (e: unknown, c: unknown) => Promise<unknown>)(event, {});
}
