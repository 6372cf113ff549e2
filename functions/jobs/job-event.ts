import type { Clock } from '../../shared/ports/clock';

/**
 * The day a scheduled run is for: the schedule's own time when it passes one (so a late or repeated
 * run bills the day it was meant for), otherwise today by the clock.
 */
export function jobDay(event: Record<string, unknown>, clock: Clock): string {
  const t = event.scheduledTime;
  if (typeof t === 'string' && /^\d{4}-\d{2}-\d{2}/.test(t) && !Number.isNaN(Date.parse(t))) return t.slice(0, 10);
  return clock.now().toISOString().slice(0, 10);
}
