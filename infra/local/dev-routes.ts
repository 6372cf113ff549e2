import { MAX_ADVANCE_DAYS, MAX_OFFSET_MS, type DevClock } from '../../shared/adapters/local/dev-clock';
import { principalFromClaims } from '../../shared/adapters/claims';
import type { LocalScheduler } from './scheduler';
import { DEV_OPENAPI } from './dev-openapi';

export interface DevRequest {
  method: string;
  path: string;
  body: unknown;
  claims: Record<string, unknown> | undefined;
}

/**
 * Local-only controls under /__dev/ (not part of the API, absent on AWS), for the operator:
 *   GET  /__dev/clock                      -> { now }
 *   POST /__dev/clock {advanceDays|to}     -> moves the dev clock forward, then runs every day's jobs that passed
 *   POST /__dev/jobs/{name} {day?}         -> runs one scheduled job for a day now (default: today)
 *   GET  /__dev/openapi.json               -> their OpenAPI document (infra/local/dev-openapi.ts)
 */
export function devRoutes(clock: DevClock, scheduler: LocalScheduler) {
  return async (req: DevRequest): Promise<{ status: number; body: unknown }> => {
    if (principalFromClaims(req.claims)?.role !== 'operator') {
      return { status: 403, body: { error: { code: 'FORBIDDEN', message: 'dev controls are for the operator' } } };
    }
    if (req.path === '/__dev/openapi.json' && req.method === 'GET') return { status: 200, body: DEV_OPENAPI };
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (req.path === '/__dev/clock' && req.method === 'GET') return { status: 200, body: { now: clock.now().toISOString() } };
    if (req.path === '/__dev/clock' && req.method === 'POST') {
      const bad = (field: string, reason: string) => ({
        status: 400,
        body: { error: { code: 'VALIDATION', message: `${field}: ${reason}`, fields: { [field]: reason } } },
      });
      const unknown = Object.keys(body).find((k) => k !== 'advanceDays' && k !== 'to');
      if (unknown) return bad(unknown, 'is not a known field');
      if (body.advanceDays !== undefined) {
        const d = body.advanceDays;
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_ADVANCE_DAYS) {
          return bad('advanceDays', `must be a whole number of days 0..${MAX_ADVANCE_DAYS}`);
        }
        if (clock.offsetMs() + d * 86_400_000 > MAX_OFFSET_MS) return bad('advanceDays', `the dev clock goes at most ${MAX_OFFSET_MS / 86_400_000} days ahead`);
        clock.advance(d * 86_400_000);
      } else if (body.to !== undefined) {
        const to = typeof body.to === 'string' ? Date.parse(body.to) : Number.NaN;
        const ahead = to - clock.now().getTime();
        if (Number.isNaN(to)) return bad('to', 'must be an ISO time');
        if (ahead > MAX_ADVANCE_DAYS * 86_400_000 || clock.offsetMs() + Math.max(0, ahead) > MAX_OFFSET_MS) {
          return bad('to', `must be at most ${MAX_ADVANCE_DAYS} days ahead`);
        }
        clock.setTo(new Date(to));
      } else {
        return bad('advanceDays', 'must be a whole number of days, or give to');
      }
      const runs = await scheduler.tick();
      return { status: 200, body: { now: clock.now().toISOString(), runs } };
    }
    const m = /^\/__dev\/jobs\/([a-z0-9-]+)$/.exec(req.path);
    if (m && req.method === 'POST') {
      const day = typeof body.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(body.day) ? body.day : clock.now().toISOString().slice(0, 10);
      const runs = await scheduler.runDay(day, m[1]);
      if (!runs.length) return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no scheduled job ${m[1]}` } } };
      return { status: 200, body: { runs } };
    }
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such dev route' } } };
  };
}
