/**
 * Benchmark (not a test): a year of daily events for 10,000 accounts through the billing engine.
 * Each account uses traffic every day, has its disk measured weekly, changes its traffic limit and
 * mailboxes now and then, and sees one price change; periods of 1, 3, 6 or 12 months.
 * Run directly: `npx tsx bench/billing-engine.ts` (ACCOUNTS=1000 for a quick run).
 */
import { pathToFileURL } from 'node:url';
import { advance, applyEvent, openAccount, settle, type AccountEvent } from '../shared/domain/billing/engine';
import { addMonths, formatDay, fromYmd } from '../shared/domain/billing/dates';
import type { PriceTable } from '../shared/domain/billing/plan';

const PRICES: PriceTable = {
  traffic: { kind: 'flow', free: '10', setup: '0', recurrent: '2', usage: '5' },
  disk_quota: { kind: 'level', free: '1000', setup: '0', recurrent: '0.01', usage: '0.02' },
  mailbox: { kind: 'count', free: '2', setup: '1', recurrent: '0.5', usage: '0' },
};

/** Deterministic pseudo-random numbers so every run does the same work. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function* yearOfEvents(startDay: number, rand: () => number): Generator<AccountEvent> {
  for (let i = 0; i < 365; i++) {
    const date = formatDay(startDay + i);
    if (i === 200) yield { date, type: 'prices', prices: { traffic: { usage: '4.5' } } };
    if (i % 45 === 20) yield { date, type: 'hold', hold: { traffic: String(10 + Math.floor(rand() * 10)), mailbox: String(1 + Math.floor(rand() * 5)) } };
    yield { date, type: 'use', use: { traffic: (rand() * 0.8).toFixed(3) } };
    if (i % 7 === 3) yield { date, type: 'measure', measure: { disk_quota: String(900 + Math.floor(rand() * 300)) } };
  }
}

export async function runBillingBench(accounts = Number(process.env.ACCOUNTS ?? 10_000)): Promise<{ name: string; figures: Record<string, number | string> }> {
  const rand = rng(42);
  const base = fromYmd(2026, 0, 1);
  let events = 0;
  let lines = 0;
  const t0 = performance.now();
  for (let a = 0; a < accounts; a++) {
    const start = addMonths(base, 0) + (a % 28);
    const s = openAccount({
      start: formatDay(start),
      prices: PRICES,
      hold: { traffic: '12', disk_quota: '1000', mailbox: '3' },
      periodMonths: [1, 3, 6, 12][a % 4]!,
    });
    for (const e of yearOfEvents(start, rand)) {
      applyEvent(s, e);
      events++;
    }
    advance(s, formatDay(start + 365));
    settle(s);
    lines += s.lines.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const figures = {
    accounts,
    events,
    ledgerLines: lines,
    seconds: Number(seconds.toFixed(3)),
    accountsPerSecond: Math.round(accounts / seconds),
    eventsPerSecond: Math.round(events / seconds),
  };
  return { name: 'billing-engine: a year of daily events per account', figures };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runBillingBench();
  process.stdout.write(`${result.name}\n${JSON.stringify(result.figures, null, 2)}\n`);
}
