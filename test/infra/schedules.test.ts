import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec } from '../../infra/functions-manifest';
import { QUEUES } from '../../infra/queues-manifest';
import { buildStack } from './support';

/** A manifest with the real API function plus two scheduled jobs, as later issues will add them. */
const FIXTURE: readonly FunctionSpec[] = [
  // The real API function plus two made-up jobs: the counts below are the fixture's, not the product's.
  // The proxy function sends to the catalogue's queues: their consumers come along.
  ...FUNCTIONS.filter((f) => f.api === 'proxy' || QUEUES.some((q) => q.consumer === f.name)),
  {
    name: 'billing-close',
    entry: 'test/infra/fixtures/job-handler.ts',
    handler: 'handler',
    memoryMb: 512,
    timeoutSeconds: 300,
    needs: ['table:read', 'table:write', 'ses:send'],
    schedule: { expression: 'cron(15 0 * * ? *)', description: 'Close billing periods daily' },
  },
  {
    name: 'traffic-reset',
    entry: 'test/infra/fixtures/job-handler.ts',
    handler: 'handler',
    memoryMb: 256,
    timeoutSeconds: 120,
    needs: ['table:read'],
    schedule: { expression: 'cron(0 0 * * ? *)', timeZone: 'Europe/Berlin', description: 'Reset traffic windows', input: { kind: 'traffic' } },
  },
];

let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
let template: Template;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionId = (name: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `Reseller panel: ${name}`)![0];

beforeAll(() => {
  template = Template.fromStack(buildStack({ functions: FIXTURE }));
  resources = template.toJSON().Resources;
});

describe('manifest-driven jobs', () => {
  it('creates one EventBridge Scheduler schedule per scheduled entry, targeting its function', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    expect(schedules).toHaveLength(2);
    const billing = schedules.find((s) => s.ScheduleExpression === 'cron(15 0 * * ? *)')!;
    expect(billing.ScheduleExpressionTimezone).toBe('UTC');
    expect(billing.Target.Arn).toEqual({ 'Fn::GetAtt': [functionId('billing-close'), 'Arn'] });
    expect(JSON.parse(billing.Target.Input)).toEqual({ source: 'schedule', job: 'billing-close' });
    expect(billing.Target.RetryPolicy.MaximumRetryAttempts).toBe(2);
    // Runs that still fail land in one dead-letter queue, which an alarm watches.
    const [dlqId] = ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('ScheduleDeadLetters'))!;
    for (const s of schedules) expect(s.Target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(dlqId))).toBe(true);
    const traffic = schedules.find((s) => s.ScheduleExpression === 'cron(0 0 * * ? *)')!;
    expect(traffic.ScheduleExpressionTimezone).toBe('Europe/Berlin');
    expect(JSON.parse(traffic.Target.Input)).toEqual({ kind: 'traffic' });
  });

  it('builds each job as nodejs22.x arm64 with its memory and timeout, and alarms on its errors and throttles', () => {
    const job = resources[functionId('billing-close')]!.Properties;
    expect(job.Runtime).toBe('nodejs22.x');
    expect(job.Architectures).toEqual(['arm64']);
    expect(job.MemorySize).toBe(512);
    expect(job.Timeout).toBe(300);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(FIXTURE.length);
    expect(alarms.filter((a) => a.MetricName === 'Throttles')).toHaveLength(FIXTURE.length);
  });

  it('grants a job only what its entry needs', () => {
    const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
    const policyOf = (name: string) => {
      const [, p] = ofType('AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))!;
      return (p.Properties.PolicyDocument.Statement as any[]).flatMap((s) => [s.Action].flat()) as string[];
    };
    const traffic = policyOf('traffic-reset');
    expect(traffic).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(traffic).not.toContain('dynamodb:PutItem');
    expect(traffic.some((a) => a.startsWith('cognito-idp:') || a.startsWith('ses:') || a.startsWith('ssm:') || a.startsWith('kms:'))).toBe(false);
    const billing = policyOf('billing-close');
    expect(billing).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'ses:SendEmail']));
    expect(billing.some((a) => a.startsWith('cognito-idp:') || a.startsWith('ssm:'))).toBe(false);
  });

  it('lets only EventBridge Scheduler invoke the job through its role', () => {
    const roles = ofType('AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(roles.length).toBeGreaterThan(0);
  });
});
