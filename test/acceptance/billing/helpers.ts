import { simulateScenario, type ScenarioLine, type ScenarioOutput } from '../../../shared/app/billing/simulate';

export type Scenario = Record<string, unknown>;

export function run(scenario: Scenario): ScenarioOutput {
  return simulateScenario(scenario);
}

export function linesOf(out: ScenarioOutput, filter: Partial<ScenarioLine>): ScenarioLine[] {
  return out.lines.filter((l) => Object.entries(filter).every(([k, v]) => l[k as keyof ScenarioLine] === v));
}

/** The one line matching the filter (fails the test if there are none or several). */
export function lineOf(out: ScenarioOutput, filter: Partial<ScenarioLine>): ScenarioLine {
  const found = linesOf(out, filter);
  if (found.length !== 1) throw new Error(`expected one line matching ${JSON.stringify(filter)}, got ${JSON.stringify(out.lines)}`);
  return found[0]!;
}
