import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import { parseScenario, simulateScenario } from '../../../shared/app/billing/simulate';

const base = () => ({
  start: '2026-03-01',
  until: '2026-04-01',
  resources: { traffic: { kind: 'flow', free: '10', recurrent: '2', usage: '5' }, mailbox: { kind: 'count', free: '1', recurrent: '1' } },
  hold: { traffic: '10', mailbox: '1' },
  events: [] as unknown[],
});

function fieldOf(scenario: unknown): string {
  try {
    parseScenario(scenario);
  } catch (err) {
    if (err instanceof ValidationError) return Object.keys(err.fields ?? {})[0] ?? err.message;
    throw err;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation names the field', () => {
  it.each([
    ['unknown top-level key', { ...base(), extra: 1 }, 'extra'],
    ['missing until', { ...base(), until: undefined }, 'until'],
    ['until before start', { ...base(), until: '2026-02-01' }, 'until'],
    ['bad periodMonths', { ...base(), periodMonths: 0 }, 'periodMonths'],
    ['missing resources', { ...base(), resources: undefined }, 'resources'],
    ['unknown kind', { ...base(), resources: { x: { kind: 'gauge' } } }, 'resources.x.kind'],
    ['kind required off-catalog', { ...base(), resources: { domains: { free: '1' } }, hold: {} }, 'resources.domains.kind'],
    ['price with a sign', { ...base(), resources: { traffic: { kind: 'flow', usage: '-5' } }, hold: {} }, 'resources.traffic.usage'],
    ['price with 5 decimals', { ...base(), resources: { traffic: { kind: 'flow', setup: '0.00001' } }, hold: {} }, 'resources.traffic.setup'],
    ['unknown resource key', { ...base(), resources: { traffic: { kind: 'flow', monthly: '1' } }, hold: {} }, 'resources.traffic.monthly'],
    ['hold of an unknown resource', { ...base(), hold: { disk: '1' } }, 'hold.disk'],
    ['fractional count', { ...base(), hold: { mailbox: '1.5' } }, 'hold.mailbox'],
    ['events not an array', { ...base(), events: {} }, 'events'],
    ['event before start', { ...base(), events: [{ date: '2026-02-01', use: { traffic: '1' } }] }, 'events[0].date'],
    ['empty event', { ...base(), events: [{ date: '2026-03-02' }] }, 'events[0]'],
    ['measure of a flow resource', { ...base(), events: [{ date: '2026-03-02', measure: { traffic: '1' } }] }, 'events[0].measure.traffic'],
    ['unknown price key', { ...base(), events: [{ date: '2026-03-02', prices: { traffic: { extra: '1' } } }] }, 'events[0].prices.traffic.extra'],
    ['bad price', { ...base(), events: [{ date: '2026-03-02', prices: { traffic: { usage: '5 $' } } }] }, 'events[0].prices.traffic.usage'],
    ['bad flag', { ...base(), events: [{ date: '2026-03-02', close: 'yes' }] }, 'events[0].close'],
  ])('%s', (_name, scenario, field) => {
    expect(fieldOf(scenario)).toBe(field);
  });
});

describe('scenario semantics', () => {
  it('runs events by date whatever their order in the file, price changes first on a day', () => {
    const ordered = simulateScenario({
      ...base(),
      events: [
        { date: '2026-03-10', use: { traffic: '12' } },
        { date: '2026-04-01', prices: { traffic: { usage: '1' } } },
      ],
    });
    const shuffled = simulateScenario({
      ...base(),
      events: [
        { date: '2026-04-01', prices: { traffic: { usage: '1' } } },
        { date: '2026-03-10', use: { traffic: '12' } },
      ],
    });
    expect(shuffled).toEqual(ordered);
    expect(ordered.lines).toEqual([{ date: '2026-04-01', resource: 'traffic', type: 'usage', quantity: '2', amount: '2.00' }]);
  });

  it('ignores events after `until`, leaves 0.00 lines out and totals the rounded lines', () => {
    const out = simulateScenario({
      ...base(),
      resources: { mailbox: { kind: 'count', free: '0', recurrent: '0.001' }, dedicated_ip: { free: '0', recurrent: '0.005' } },
      hold: { mailbox: '1', dedicated_ip: '1' },
      events: [{ date: '2026-05-01', hold: { mailbox: 'bad' } }].slice(0, 0).concat([{ date: '2026-06-01', hold: { mailbox: '3' } }]),
    });
    expect(out.lines).toEqual([
      { date: '2026-03-01', resource: 'dedicated_ip', type: 'recurrent', quantity: '1', amount: '0.01' },
      { date: '2026-04-01', resource: 'dedicated_ip', type: 'recurrent', quantity: '1', amount: '0.01' },
    ]);
    expect(out.total).toBe('0.02');
    expect(out).not.toHaveProperty('notices');
  });

  it('accepts "," as the decimal separator in quantities and prices', () => {
    const out = simulateScenario({ ...base(), resources: { traffic: { kind: 'flow', free: '10', usage: '2,5' } }, hold: { traffic: '10' }, events: [{ date: '2026-03-02', use: { traffic: '11,5' } }] });
    expect(out.lines).toEqual([{ date: '2026-04-01', resource: 'traffic', type: 'usage', quantity: '1.5', amount: '3.75' }]);
  });
});
