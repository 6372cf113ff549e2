/**
 * Paces sends to a rate: each call reserves the next free slot and says how long to wait for it.
 * One pacer per process serves every batch the process runs at once (the local poller runs several,
 * a Lambda instance one), so the process never sends faster than `ratePerSecond`. Time passed in.
 */
export class SendPacer {
  private nextSlotMs = 0;
  private readonly intervalMs: number;

  constructor(ratePerSecond: number) {
    if (!(ratePerSecond > 0)) throw new Error('the send rate must be above 0');
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Milliseconds to wait before sending (0 when a slot is free now); the slot is taken. */
  reserve(nowMs: number): number {
    const slot = Math.max(nowMs, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    return slot - nowMs;
  }

  /** After a throttle: no slot for `ms` (the whole process backs off, not just one message). */
  pause(nowMs: number, ms: number): void {
    this.nextSlotMs = Math.max(this.nextSlotMs, nowMs + ms);
  }
}

/**
 * The rate of one process: the installation's `MAIL_SEND_RATE` split over the sender processes that
 * may run at once (on AWS the event source mapping's maximum concurrency; one in the embedded runtime).
 */
export const processRate = (installationRate: number, processes: number) => installationRate / Math.max(1, processes);
