import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DevClock } from '../../shared/adapters/local/dev-clock';
import { LocalScheduler } from '../../infra/local/scheduler';
import type { FunctionSpec } from '../../infra/functions-manifest';

const DAY = 86_400_000;

describe('dev clock and local scheduler', () => {
  it('moves forward, persists the offset for another reader, and refuses to go back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clock-')), 'clock.json');
    const real = Date.parse('2026-03-01T12:00:00Z');
    const a = new DevClock(file, () => real);
    expect(a.now().toISOString()).toBe('2026-03-01T12:00:00.000Z');
    a.advance(3 * DAY);
    const b = new DevClock(file, () => real);
    expect(b.now().toISOString()).toBe('2026-03-04T12:00:00.000Z');
    expect(() => a.advance(-1)).toThrow(/forward/);
  });

  it('runs each scheduled job once for every day the clock passed, in order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clock-')), 'clock.json');
    const clock = new DevClock(file, () => Date.parse('2026-01-30T10:00:00Z'));
    const seen: string[] = [];
    const spec: FunctionSpec = {
      name: 'probe', entry: 'x', handler: 'handler', memoryMb: 128, timeoutSeconds: 1, needs: [],
      schedule: { expression: 'cron(15 0 * * ? *)', description: 'probe' },
    };
    const scheduler = new LocalScheduler(clock, [spec], async () => async (e) => {
      seen.push(String(e.scheduledTime).slice(0, 10));
      return 'ok';
    });
    expect(await scheduler.tick()).toEqual([]);
    clock.advance(3 * DAY);
    const runs = await scheduler.tick();
    expect(seen).toEqual(['2026-01-31', '2026-02-01', '2026-02-02']);
    expect(runs.every((r) => r.ok)).toBe(true);
    expect(await scheduler.tick()).toEqual([]);
  });
});
