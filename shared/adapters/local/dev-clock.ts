import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../ports/clock';

/**
 * The local runtime's clock: real time plus an offset an operator (or a test) can move forward,
 * like Stripe's test clocks. The offset lives in a file under the data directory, so a restart
 * keeps the moved time and other processes can read it. Never used on AWS.
 */
/** One move of the dev clock goes at most ten years ahead; the whole offset at most a hundred. */
export const MAX_ADVANCE_DAYS = 3660;
export const MAX_OFFSET_MS = 36_600 * 86_400_000;

/** An offset the clock can live with: a number, not negative, not past MAX_OFFSET_MS. */
const usableOffset = (ms: unknown): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_OFFSET_MS;

export class DevClock implements Clock {
  private offset = 0;
  private mtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly realNow: () => number = Date.now,
  ) {
    this.reload();
  }

  now(): Date {
    this.reload();
    return new Date(this.realNow() + this.offset);
  }

  /** How far ahead of real time the clock is. */
  offsetMs(): number {
    this.reload();
    return this.offset;
  }

  /** Moves time forward (never back: ledgers and windows only go forward). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('the dev clock only moves forward');
    if (!usableOffset(this.offset + ms)) throw new Error(`the dev clock goes at most ${MAX_OFFSET_MS / 86_400_000} days ahead`);
    this.offset += ms;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ offsetMs: this.offset }), { mode: 0o600 });
    this.mtimeMs = statSync(this.file).mtimeMs;
    return this.now();
  }

  /** Moves time to `target` if it is ahead. */
  setTo(target: Date): Date {
    const delta = target.getTime() - this.now().getTime();
    return this.advance(Math.max(0, delta));
  }

  private reload(): void {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.mtimeMs) return;
    this.mtimeMs = mtime;
    try {
      const { offsetMs } = JSON.parse(readFileSync(this.file, 'utf8')) as { offsetMs?: unknown };
      // A file from before the bounds (e.g. 1e300 days) is ignored, so the runtime still starts.
      if (usableOffset(offsetMs)) this.offset = offsetMs;
    } catch {
      // A half-written file: keep the last good offset.
    }
  }
}
