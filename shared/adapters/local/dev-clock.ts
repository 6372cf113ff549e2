import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../ports/clock';

/**
 * The local runtime's clock: real time plus an offset an operator (or a test) can move forward,
 * like Stripe's test clocks. The offset lives in a file under the data directory, so a restart
 * keeps the moved time and other processes can read it. Never used on AWS.
 */
export class DevClock implements Clock {
  private offsetMs = 0;
  private mtimeMs = -1;

  constructor(
    private readonly file: string,
    private readonly realNow: () => number = Date.now,
  ) {
    this.reload();
  }

  now(): Date {
    this.reload();
    return new Date(this.realNow() + this.offsetMs);
  }

  /** Moves time forward (never back: ledgers and windows only go forward). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('the dev clock only moves forward');
    this.offsetMs += ms;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ offsetMs: this.offsetMs }), { mode: 0o600 });
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
      const { offsetMs } = JSON.parse(readFileSync(this.file, 'utf8')) as { offsetMs?: number };
      if (typeof offsetMs === 'number' && Number.isFinite(offsetMs)) this.offsetMs = offsetMs;
    } catch {
      // A half-written file: keep the last good offset.
    }
  }
}
