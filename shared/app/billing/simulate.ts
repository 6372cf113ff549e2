/**
 * The scenario format of billing-rules.md ("The scenario format"), parsed strictly so that a bad
 * scenario fails with the field named, and run through the billing engine.
 *
 * Beyond the documented keys, a scenario may use the optional extensions of docs/billing.md:
 * top-level `creditLimit`, `payments`, `trialDays`, `moneyBackDays`; event keys `pay`, `convert`,
 * `suspend`, `resume`, `close`, `periodMonths` (period change) and `plan` (plan change).
 */
import { ValidationError } from '../../domain/errors';
import { parseDay, type Day } from '../../domain/billing/dates';
import { simulate, PHASE, type AccountEvent, type OpenAccount } from '../../domain/billing/engine';
import { COUNT_RULES, PRICE_RULES, QUANTITY_RULES, parseDecimal, type DecimalRules } from '../../domain/billing/money';
import { kindOf, type PriceTable, type ResourcePrices } from '../../domain/billing/plan';

export interface ScenarioLine {
  date: string;
  resource: string;
  type: string;
  quantity: string;
  amount: string;
}

export interface ScenarioOutput {
  lines: ScenarioLine[];
  total: string;
  /** Only present when something was refused, suspended, resumed or closed. */
  notices?: { date: string; message: string }[];
}

export interface ParsedScenario {
  open: OpenAccount;
  events: AccountEvent[];
  until: string;
}

type Json = Record<string, unknown>;

const TOP_KEYS = ['periodMonths', 'start', 'until', 'resources', 'hold', 'events', 'creditLimit', 'payments', 'trialDays', 'moneyBackDays'];
const RESOURCE_KEYS = ['kind', 'free', 'setup', 'recurrent', 'usage', 'periodPrices', 'max'];
const PRICE_KEYS = ['free', 'setup', 'recurrent', 'usage'] as const;
const EVENT_KEYS = ['date', 'prices', 'hold', 'use', 'measure', 'pay', 'convert', 'suspend', 'resume', 'close', 'periodMonths', 'plan'];
const FLAG_EVENTS = ['convert', 'suspend', 'resume', 'close'] as const;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(field: string, v: unknown): Json {
  if (!isObject(v)) throw ValidationError.field(field, v === undefined ? 'is required' : 'must be an object');
  return v;
}

function onlyKeys(field: string, o: Json, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw ValidationError.field(field ? `${field}.${k}` : k, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function wholeNumber(field: string, v: unknown, minimum: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < minimum || v > 1200) {
    throw ValidationError.field(field, v === undefined ? 'is required' : `must be a whole number ≥ ${minimum}`);
  }
  return v;
}

function canonical(field: string, v: unknown, rules: DecimalRules): string {
  return parseDecimal(field, v, rules).toFixed();
}

function parseResources(field: string, v: unknown): PriceTable {
  const o = object(field, v);
  const ids = Object.keys(o);
  if (ids.length === 0) throw ValidationError.field(field, 'must declare at least one resource');
  const table: PriceTable = {};
  for (const id of ids) {
    const f = `${field}.${id}`;
    const r = object(f, o[id]);
    onlyKeys(f, r, RESOURCE_KEYS);
    let declared: ResourcePrices['kind'] | undefined;
    if (r.kind !== undefined) {
      if (r.kind !== 'count' && r.kind !== 'flow' && r.kind !== 'level') throw ValidationError.field(`${f}.kind`, 'must be "count", "flow" or "level"');
      declared = r.kind;
    }
    const kind = kindOf(id, declared, `${f}.kind`);
    const prices: ResourcePrices = {
      kind,
      free: canonical(`${f}.free`, r.free ?? '0', kind === 'count' ? COUNT_RULES : PRICE_RULES),
      setup: canonical(`${f}.setup`, r.setup ?? '0', PRICE_RULES),
      recurrent: canonical(`${f}.recurrent`, r.recurrent ?? '0', PRICE_RULES),
      usage: canonical(`${f}.usage`, r.usage ?? '0', PRICE_RULES),
    };
    if (r.periodPrices !== undefined) {
      const pp = object(`${f}.periodPrices`, r.periodPrices);
      prices.periodPrices = {};
      for (const [months, price] of Object.entries(pp)) {
        if (!/^[1-9]\d*$/.test(months)) throw ValidationError.field(`${f}.periodPrices.${months}`, 'the key must be a period length in months');
        prices.periodPrices[months] = canonical(`${f}.periodPrices.${months}`, price, PRICE_RULES);
      }
    }
    if (r.max !== undefined) prices.max = canonical(`${f}.max`, r.max, kind === 'count' ? COUNT_RULES : QUANTITY_RULES);
    table[id] = prices;
  }
  return table;
}

function quantityRules(kind: ResourcePrices['kind']): DecimalRules {
  return kind === 'count' ? COUNT_RULES : QUANTITY_RULES;
}

function resourceOf(field: string, id: string, table: PriceTable): ResourcePrices {
  const r = table[id];
  if (!r) throw ValidationError.field(field, `unknown resource (the plan has ${Object.keys(table).join(', ')})`);
  return r;
}

function quantities(field: string, v: unknown, table: PriceTable, want?: ResourcePrices['kind']): Record<string, string> {
  const o = object(field, v);
  const out: Record<string, string> = {};
  for (const [id, q] of Object.entries(o)) {
    const r = resourceOf(`${field}.${id}`, id, table);
    if (want && r.kind !== want) throw ValidationError.field(`${field}.${id}`, `is a ${r.kind} resource; only ${want} resources can be given here`);
    out[id] = canonical(`${field}.${id}`, q, quantityRules(r.kind));
  }
  return out;
}

interface Staged {
  day: Day;
  phase: number;
  order: number;
  field: string;
  build: (table: PriceTable) => { event: AccountEvent; table?: PriceTable };
}

/** Validates a scenario (already JSON-parsed). Throws ValidationError naming the first bad field. */
export function parseScenario(input: unknown): ParsedScenario {
  const sc = object('scenario', input);
  onlyKeys('', sc, TOP_KEYS);
  const start = parseDay('start', sc.start);
  const until = parseDay('until', sc.until);
  if (until < start) throw ValidationError.field('until', 'must not be before start');
  const periodMonths = sc.periodMonths === undefined ? 1 : wholeNumber('periodMonths', sc.periodMonths, 1);
  const prices = parseResources('resources', sc.resources);
  const hold = sc.hold === undefined ? {} : quantities('hold', sc.hold, prices);
  const open: OpenAccount = { start: sc.start as string, prices, hold, periodMonths };
  if (sc.creditLimit !== undefined) open.creditLimit = canonical('creditLimit', sc.creditLimit, PRICE_RULES);
  if (sc.payments !== undefined) open.payments = canonical('payments', sc.payments, PRICE_RULES);
  if (sc.trialDays !== undefined) open.trialDays = wholeNumber('trialDays', sc.trialDays, 0);
  if (sc.moneyBackDays !== undefined) open.moneyBackDays = wholeNumber('moneyBackDays', sc.moneyBackDays, 0);

  const rawEvents = sc.events === undefined ? [] : sc.events;
  if (!Array.isArray(rawEvents)) throw ValidationError.field('events', 'must be an array');
  const staged: Staged[] = [];
  rawEvents.forEach((raw, i) => {
    const f = `events[${i}]`;
    const e = object(f, raw);
    onlyKeys(f, e, EVENT_KEYS);
    const date = e.date as string;
    const day = parseDay(`${f}.date`, e.date);
    if (day < start) throw ValidationError.field(`${f}.date`, `${date} is before start ${sc.start as string}`);
    const keys = Object.keys(e).filter((k) => k !== 'date');
    if (keys.length === 0) throw ValidationError.field(f, `has nothing to do (give one of ${EVENT_KEYS.slice(1).join(', ')})`);
    const stage = (phase: number, build: Staged['build']) => staged.push({ day, phase, order: staged.length, field: f, build });
    if (e.prices !== undefined) {
      const changes = object(`${f}.prices`, e.prices);
      stage(PHASE.prices, (table) => {
        const out: Record<string, Partial<Record<(typeof PRICE_KEYS)[number], string>>> = {};
        for (const [id, c] of Object.entries(changes)) {
          const pf = `${f}.prices.${id}`;
          const r = resourceOf(pf, id, table);
          const co = object(pf, c);
          onlyKeys(pf, co, PRICE_KEYS);
          out[id] = {};
          for (const k of PRICE_KEYS) {
            if (co[k] !== undefined) out[id][k] = canonical(`${pf}.${k}`, co[k], k === 'free' && r.kind === 'count' ? COUNT_RULES : PRICE_RULES);
          }
        }
        return { event: { date, type: 'prices', prices: out } };
      });
    }
    if (e.pay !== undefined) {
      const amount = canonical(`${f}.pay`, e.pay, PRICE_RULES);
      stage(PHASE.account, () => ({ event: { date, type: 'pay', amount } }));
    }
    if (e.plan !== undefined) {
      const plan = object(`${f}.plan`, e.plan);
      onlyKeys(`${f}.plan`, plan, ['resources', 'periodMonths']);
      const table = parseResources(`${f}.plan.resources`, plan.resources);
      const months = plan.periodMonths === undefined ? undefined : wholeNumber(`${f}.plan.periodMonths`, plan.periodMonths, 1);
      stage(PHASE.account, () => ({ event: { date, type: 'changePlan', prices: table, ...(months ? { months } : {}) }, table }));
    }
    if (e.periodMonths !== undefined) {
      const months = wholeNumber(`${f}.periodMonths`, e.periodMonths, 1);
      stage(PHASE.account, () => ({ event: { date, type: 'changePeriod', months } }));
    }
    for (const flag of FLAG_EVENTS) {
      if (e[flag] === undefined) continue;
      if (e[flag] !== true) throw ValidationError.field(`${f}.${flag}`, 'must be true');
      stage(PHASE.account, () => ({ event: { date, type: flag } }));
    }
    if (e.hold !== undefined) stage(PHASE.hold, (table) => ({ event: { date, type: 'hold', hold: quantities(`${f}.hold`, e.hold, table) } }));
    if (e.use !== undefined) stage(PHASE.usage, (table) => ({ event: { date, type: 'use', use: quantities(`${f}.use`, e.use, table, 'flow') } }));
    if (e.measure !== undefined) {
      stage(PHASE.usage, (table) => ({ event: { date, type: 'measure', measure: quantities(`${f}.measure`, e.measure, table, 'level') } }));
    }
  });

  // Events may be listed in any date order: they run by date, then by the phases of "Time", then in file order.
  staged.sort((a, b) => a.day - b.day || a.phase - b.phase || a.order - b.order);
  let table = prices;
  const events: AccountEvent[] = [];
  for (const s of staged) {
    const built = s.build(table);
    if (built.table) table = built.table;
    events.push(built.event);
  }
  return { open, events, until: sc.until as string };
}

/** Runs a JSON-parsed scenario; the output of `billing:simulate`. */
export function simulateScenario(input: unknown): ScenarioOutput {
  const { open, events, until } = parseScenario(input);
  const result = simulate(open, events, until);
  const out: ScenarioOutput = {
    lines: result.lines.map(({ date, resource, type, quantity, amount }) => ({ date, resource, type, quantity, amount })),
    total: result.total,
  };
  if (result.notices.length > 0) out.notices = result.notices;
  return out;
}

/** Parses scenario text (JSON); a syntax error is a ValidationError on `scenario`. */
export function simulateScenarioText(text: string): ScenarioOutput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw ValidationError.field('scenario', `is not valid JSON (${(err as Error).message})`);
  }
  return simulateScenario(json);
}
