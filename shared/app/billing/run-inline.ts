/**
 * A billing day run in this process, with the planner and the workers of shared/app/billing/run.ts
 * but an in-memory queue instead of the work queue: for tools, tests and benchmarks that need the
 * day done before they go on (the product itself always goes through billing-plan and billing).
 */
import type { Run } from '../../ports/runs';
import type { WorkQueue } from '../../ports/work-queue';
import { BILLING_QUEUE, billingRunId, handleBatch, handlePlan, PLAN_QUEUE, type BatchMessage, type BillingRunDeps, type PlanMessage } from './run';

class MemoryQueue implements WorkQueue {
  readonly messages: { queue: string; body: unknown }[] = [];
  async send(queue: string, bodies: readonly unknown[]): Promise<void> {
    // A JSON round trip, as a real queue does.
    for (const b of bodies) this.messages.push({ queue, body: JSON.parse(JSON.stringify(b)) });
  }
}

export interface InlineOptions {
  /** Batches processed at once (default 8). */
  concurrency?: number;
  /** Plan with `resume` (every part again). */
  resume?: boolean;
}

/** Plans and bills `day`; resolves with the run once no message is left. */
export async function runBillingDayInline(deps: BillingRunDeps, day: string, opts: InlineOptions = {}): Promise<Run | undefined> {
  const queue = new MemoryQueue();
  const d: BillingRunDeps = { ...deps, queue };
  await handlePlan(d, { day, ...(opts.resume ? { resume: true } : {}) });
  const concurrency = opts.concurrency ?? 8;
  const errors: Error[] = [];
  const worker = async () => {
    for (let m = queue.messages.shift(); m; m = queue.messages.shift()) {
      try {
        if (m.queue === PLAN_QUEUE) await handlePlan(d, m.body as PlanMessage);
        else if (m.queue === BILLING_QUEUE) await handleBatch(d, m.body as BatchMessage, { receiveCount: 1, maxReceives: 1 });
      } catch (e) {
        // A single account that failed: counted failed and logged by its last (here: only) receive.
        errors.push(e as Error);
      }
    }
  };
  // Workers leave when the queue is momentarily empty; others may still be adding: go round again.
  while (queue.messages.length) await Promise.all(Array.from({ length: concurrency }, worker));
  // Another planner of the same day (a second driver) may still be billing it: wait for the run.
  for (let end = Date.now() + 300_000; ; ) {
    const run = await deps.runs.get(billingRunId(day));
    if (!run || run.finishedAt || Date.now() > end) return run;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every day from `from` to `to` (inclusive), in order, as the daily schedule would. */
export async function runBillingDaysInline(deps: BillingRunDeps, from: string, to: string, opts: InlineOptions = {}): Promise<Run[]> {
  const out: Run[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const run = await runBillingDayInline(deps, new Date(t).toISOString().slice(0, 10), opts);
    if (run) out.push(run);
  }
  return out;
}
