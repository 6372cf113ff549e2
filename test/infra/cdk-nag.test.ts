import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec } from '../../infra/functions-manifest';
import { buildStack, newApp, TEST_CONFIG } from './support';
import { QUEUES, type QueueSpec } from '../../infra/queues-manifest';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures/background';

interface Violation {
  ruleName: string;
  severity: string;
  description: string;
  violatingConstructs?: { constructPath: string }[];
}

/** Synthesizes with the AwsSolutions pack and returns every unacknowledged AwsSolutions finding. */
function nagFindings(
  functions?: readonly FunctionSpec[],
  config = TEST_CONFIG,
  tamper?: (stack: Stack) => void,
  queues?: readonly QueueSpec[],
): { report: string[]; annotations: string[] } {
  const app = newApp();
  const stack = buildStack({ app, functions, config, queues });
  tamper?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const reportFile = join(app.outdir, 'validation-report.json');
  let fromAnnotations: string[] = [];
  try {
    const assembly = app.synth();
    // cdk-nag 3 reports through the validation report; annotations are checked too in case a rule
    // (or a future cdk-nag) reports that way.
    fromAnnotations = assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((m) => (m.level === 'error' || m.level === 'warning') && String(m.entry.data).includes('AwsSolutions-'))
      .map((m) => `${m.level} ${m.id}: ${String(m.entry.data)}`);
  } catch (e) {
    // Errors make an in-memory synth throw (ValidationFailed); the report is written before that.
    if (!existsSync(reportFile)) throw e;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    pluginReports: { pluginName: string; violations: Violation[] }[];
  };
  const fromReport = report.pluginReports
    .filter((p) => p.pluginName.startsWith('AwsSolutions'))
    .flatMap((p) => p.violations)
    .flatMap((v) =>
      (v.violatingConstructs ?? [{ constructPath: '?' }]).map((c) => `${v.severity} ${v.ruleName} ${c.constructPath}: ${v.description}`),
    );
  return { report: fromReport, annotations: fromAnnotations };
}

describe('cdk-nag AwsSolutions', () => {
  let findings: ReturnType<typeof nagFindings>;
  beforeAll(() => {
    findings = nagFindings();
  }, 120_000);

  it('has no unacknowledged error or warning on the stack as deployed', () => {
    expect(findings.report).toEqual([]);
    expect(findings.annotations).toEqual([]);
  });

  it('stays clean with scheduled jobs and without optional settings', () => {
    const jobs: FunctionSpec[] = [
      ...FUNCTIONS,
      {
        name: 'billing-close',
        entry: 'test/infra/fixtures/job-handler.ts',
        handler: 'handler',
        memoryMb: 512,
        timeoutSeconds: 300,
        needs: ['table:read', 'table:write'],
        schedule: { expression: 'cron(15 0 * * ? *)', description: 'Close billing periods daily' },
      },
    ];
    expect(nagFindings(jobs, {}).report).toEqual([]);
  }, 120_000);

  it('stays clean with work queues, their consumers and producers', () => {
    expect(nagFindings([...FUNCTIONS, ...FIXTURE_FUNCTIONS], TEST_CONFIG, undefined, [...QUEUES, ...FIXTURE_QUEUES]).report).toEqual([]);
  }, 120_000);

  it('stays clean with threat protection on (the COG3/COG8 acknowledgements are dropped then)', () => {
    expect(nagFindings(undefined, { ...TEST_CONFIG, threatProtection: true }).report).toEqual([]);
  }, 120_000);

  it('really runs the checks: an unacknowledged finding is reported', () => {
    const { report } = nagFindings(undefined, TEST_CONFIG, (stack) => new Topic(stack, 'Unencrypted'));
    expect(report.some((f) => f.includes('AwsSolutions-SNS') && f.includes('TestStack/Unencrypted'))).toBe(true);
  }, 120_000);
});
