/**
 * Webhook delivery to a receiver on loopback (docs/webhooks.md): N events (BENCH_WEBHOOK_EVENTS,
 * default 200) of one reseller with one endpoint, each fanned out and delivered as a signed POST
 * (the real fan-out and attempt use cases, the real HTTP sender and key cipher) with
 * BENCH_WEBHOOK_CONCURRENCY (8) at once. Reports deliveries per second and the DynamoDB round trips
 * per event (fan-out) and per delivery (attempt). The work queue is captured in memory, so the
 * round trips counted are the table's own (on AWS the queue is SQS, not DynamoDB).
 *
 *   npx tsx bench/webhooks.ts      # only this part, on a runtime of its own
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from '../shared/adapters/compose';
import { webhookEventItems } from '../shared/adapters/dynamodb/webhook-store';
import { unitOfWork } from '../shared/adapters/dynamodb/unit-of-work';
import { createWebhook } from '../shared/app/webhooks/endpoints';
import { processAttempt, processFanout } from '../shared/app/webhooks/deliver';
import { webhookEvent, type DeliverWork } from '../shared/app/webhooks/deps';
import type { Principal } from '../shared/ports/identity';
import type { WorkQueue } from '../shared/ports/work-queue';
import { round, type BenchResult } from './lib';

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

export async function runWebhookBench(ctx: { deps: AppDeps }): Promise<BenchResult[]> {
  const N = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 200);
  const C = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 8);
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const captured: DeliverWork[] = [];
  const queue: WorkQueue = { send: async (_q, bodies) => void captured.push(...(bodies as DeliverWork[])) };
  const deps = { ...ctx.deps, queue };
  const resellerId = `rbenchhooks${Date.now().toString(36)}`;
  const actor = { role: 'reseller', username: 'benchhooks', resellerId } as Principal;
  try {
    const wh = await createWebhook(deps, actor, { url, events: ['user.provisioned'] });
    // The events, written as the repositories write them (one unit each; the commit observer is not involved here).
    const events = Array.from({ length: N }, (_, i) => webhookEvent(deps, resellerId, 'user.provisioned', { username: `web${i}`, serverId: 'bench', sequence: 1 }));
    for (const e of events) await unitOfWork(deps.db).run(webhookEventItems(deps.tableName, [e]).map((op) => ({ ...op })));

    const trips = ctx.deps.roundTrips;
    const t0 = performance.now();
    const before = trips.count;
    await pool(events, C, async (e) => void (await processFanout(deps, { resellerId, eventId: e.id })));
    const fanoutTrips = trips.count - before;
    const t1 = performance.now();
    const attempts = captured.splice(0);
    const beforeAttempts = trips.count;
    const latencies: number[] = [];
    await pool(attempts, C, async (w) => {
      const s = performance.now();
      const out = await processAttempt(deps, w);
      latencies.push(performance.now() - s);
      if (out !== 'sent') throw new Error(`attempt ${w.eventId}: ${out}`);
    });
    const attemptTrips = trips.count - beforeAttempts;
    const t2 = performance.now();
    latencies.sort((a, b) => a - b);
    if (received !== N) throw new Error(`receiver got ${received} of ${N}`);
    void wh;
    return [
      {
        name: `webhooks: ${N} events to a loopback receiver (${C} at once)`,
        figures: {
          deliveries_per_s: round(N / ((t2 - t0) / 1000), 1),
          fanout_events_per_s: round(N / ((t1 - t0) / 1000), 1),
          attempts_per_s: round(N / ((t2 - t1) / 1000), 1),
          attempt_p50_ms: round(latencies[Math.floor(latencies.length / 2)]!, 1),
          round_trips_per_event_fanout: round(fanoutTrips / N, 2),
          round_trips_per_delivery_attempt: round(attemptTrips / N, 2),
          round_trips_per_event_total: round((fanoutTrips + attemptTrips) / N, 2),
        },
      },
    ];
  } finally {
    server.close();
  }
}

// Run on its own: a runtime of its own without background jobs.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startRuntime } = await import('../infra/local/runtime');
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-bench-hooks-'));
  const rt = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword: 'bench-operator-password', backgroundJobs: false });
  try {
    for (const r of await runWebhookBench({ deps: rt.deps })) console.log(`${r.name}\n${JSON.stringify(r.figures, null, 2)}`);
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
