/**
 * The daily billing run on AWS: the schedule only sends to billing-plan, the planner and the workers
 * consume their queues (partial batch responses, dead letters), billing-check runs at 03:00 UTC
 * with an on-failure destination, and the alarm on AccountsNotBilled fires from its first account.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions-manifest';
import { QUEUES } from '../../infra/queues-manifest';
import { buildStack } from './support';

let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionId = (name: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `Reseller panel: ${name}`)![0];
const queueId = (prefix: string) => ofType('AWS::SQS::Queue').find(([id]) => id.includes(prefix))![0];
const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
const actionsOf = (name: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
    .flatMap((s) => [s.Action].flat() as string[]);

beforeAll(() => {
  resources = Template.fromStack(buildStack()).toJSON().Resources;
});

describe('billing run on AWS', () => {
  it('has the billing-plan and billing queues, consumed by the planner and the workers with partial batch responses', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    for (const [queue, consumer] of [['BillingPlan', 'billing-planner'], ['BackgroundWorkBillingQueue', 'billing-worker']] as const) {
      const id = queue === 'BillingPlan' ? queueId('BackgroundWorkBillingPlanQueue') : queueId(queue);
      const m = mappings.find((x) => JSON.stringify(x.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }))!;
      expect(m.FunctionName).toEqual({ Ref: functionId(consumer) });
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(resources[id]!.Properties.RedrivePolicy.maxReceiveCount).toBe(QUEUES.find((q) => q.consumer === consumer)!.maxReceives);
    }
    expect(mappings.find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId('billing-worker') }))!.ScalingConfig).toEqual({
      MaximumConcurrency: 50,
    });
  });

  it('the daily schedule only reads and sends to billing-plan; billing-check only reads', () => {
    const daily = resources[functionId('billing-daily')]!.Properties;
    expect(Object.keys(daily.Environment.Variables)).toContain('QUEUE_URL_BILLING_PLAN');
    expect(actionsOf('billing-daily')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('billing-check')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('billing-check')).toContain('dynamodb:Query');
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    const check = schedules.find((s) => JSON.stringify(s.Target.Arn).includes(functionId('billing-check')))!;
    expect(check.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(check.ScheduleExpressionTimezone).toBe('UTC');
    // Asynchronous invokes that still fail after Lambda's retries are kept, with an alarm (background-work.test.ts).
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    for (const name of ['billing-daily', 'billing-check']) {
      const c = configs.find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId(name) }))!;
      expect(c.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [queueId('BackgroundWorkAsyncFailures'), 'Arn'] });
    }
  });

  it('alarms when accounts are not billed up to today at 03:00 UTC', () => {
    const alarm = ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.MetricName === 'AccountsNotBilled')!;
    expect(alarm).toBeDefined();
    expect(alarm.Namespace).toBe('ResellerPanel');
    expect(alarm.Dimensions).toEqual([{ Name: 'Source', Value: 'check' }]);
    expect(alarm.Threshold).toBe(1);
    expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(alarm.Period).toBe(3600);
    expect(alarm.TreatMissingData).toBe('ignore');
    expect(alarm.AlarmActions).toHaveLength(1);
    expect(FUNCTIONS.find((f) => f.name === 'billing-check')!.schedule!.expression).toBe('cron(0 3 * * ? *)');
  });
});
