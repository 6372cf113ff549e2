/** Small helpers for benchmarks: timing, percentiles, round-trip counting. Not used by tests. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

export const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * Runs `op` `n` times one after another and reports p50/p99 in ms, ops/s, and the DynamoDB
 * round trips per call (counted by the client middleware in compose.ts).
 */
export async function measure(
  name: string,
  n: number,
  op: (i: number) => Promise<void>,
  roundTrips?: { count: number },
): Promise<BenchResult> {
  await op(-1); // warm-up
  const times: number[] = [];
  const tripsBefore = roundTrips?.count ?? 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    name,
    figures: {
      n,
      p50_ms: round(percentile(times, 50)),
      p99_ms: round(percentile(times, 99)),
      ops_per_s: round((n * 1000) / total, 1),
      ...(roundTrips ? { dynamodb_round_trips_per_op: round((roundTrips.count - tripsBefore) / n, 2) } : {}),
    },
  };
}

/** One JSON call to the local server; `status` and `body` as they came. */
export async function httpCall(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any };
}
