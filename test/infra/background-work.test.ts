import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions-manifest';
import { QUEUES } from '../../infra/queues-manifest';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures/background';
import { buildStack } from './support';

let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionId = (name: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `Reseller panel: ${name}`)![0];
const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (name: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
const queueId = (prefix: string) => ofType('AWS::SQS::Queue').find(([id]) => id.includes(prefix))![0];
const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

beforeAll(() => {
  const stack = buildStack({ functions: [...FUNCTIONS, ...FIXTURE_FUNCTIONS], queues: [...QUEUES, ...FIXTURE_QUEUES] });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('work queues from the catalogue', () => {
  it('builds a standard queue with SSE and a dead-letter queue after maxReceives', () => {
    const q = resources[queueId('BackgroundWorkDemoQueue')]!.Properties;
    expect(q.FifoQueue).toBeUndefined();
    expect(q.SqsManagedSseEnabled).toBe(true);
    expect(q.VisibilityTimeout).toBe(720);
    expect(q.RedrivePolicy.maxReceiveCount).toBe(4);
    expect(q.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [queueId('BackgroundWorkDemoDeadLetters'), 'Arn'] });
    expect(resources[queueId('BackgroundWorkDemoDeadLetters')]!.Properties.SqsManagedSseEnabled).toBe(true);
    // TLS only, on both.
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties));
    expect(policies.filter((p) => p.includes('aws:SecureTransport')).length).toBeGreaterThanOrEqual(2);
  });

  it('maps the queue to its consumer with partial batch responses and a maximum concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(1 + QUEUES.length);
    const m = mappings.find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId('demo-worker') }))!;
    expect(m).toBeDefined();
    expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId('BackgroundWorkDemoQueue'), 'Arn'] });
    expect(m.BatchSize).toBe(4);
    expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(m.ScalingConfig).toEqual({ MaximumConcurrency: 20 });
  });

  it('lets exactly the producers send, to exactly their queue, and gives them its URL', () => {
    const sendersOf = (name: string) =>
      statementsOf(name).filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
    for (const producer of ['demo-planner', 'demo-worker']) {
      const [s] = sendersOf(producer);
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [queueId('BackgroundWorkDemoQueue'), 'Arn'] });
      expect(resources[functionId(producer)]!.Properties.Environment.Variables.QUEUE_URL_DEMO).toEqual({ Ref: queueId('BackgroundWorkDemoQueue') });
    }
    expect(sendersOf('demo-reader')).toEqual([]);
    expect(resources[functionId('demo-reader')]!.Properties.Environment.Variables.QUEUE_URL_DEMO).toBeUndefined();
    // Only the consumer may receive and delete.
    const receivers = FIXTURE_FUNCTIONS.filter((f) => statementsOf(f.name).some((s) => [s.Action].flat().includes('sqs:DeleteMessage')));
    expect(receivers.map((f) => f.name)).toEqual(['demo-worker']);
  });

  it('alarms on the dead letters and on the age of the oldest message', () => {
    const dlq = queueId('BackgroundWorkDemoDeadLetters');
    const q = queueId('BackgroundWorkDemoQueue');
    const a = alarms();
    expect(a.some((x) => x.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(x.Dimensions).includes(dlq) && x.Threshold === 1)).toBe(true);
    const age = a.find((x) => x.MetricName === 'ApproximateAgeOfOldestMessage' && JSON.stringify(x.Dimensions).includes(q))!;
    expect(age.Threshold).toBe(900);
    for (const x of a.filter((x) => JSON.stringify(x.Dimensions ?? []).includes('BackgroundWork'))) expect(x.AlarmActions).toHaveLength(1);
  });
});

describe('nothing fails silently', () => {
  it('gives every asynchronously invoked function (the scheduled ones; ses-events, through SNS) an on-failure destination, with an alarm', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    const scheduled = [...FUNCTIONS, ...FIXTURE_FUNCTIONS].filter((f) => f.schedule);
    expect(configs).toHaveLength(scheduled.length + 1);
    const sesEvents = configs.find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId('ses-events') }))!;
    expect(sesEvents.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]).toMatch(/^MailEventsHandlerFailures/);
    const failures = queueId('BackgroundWorkAsyncFailures');
    for (const f of scheduled) {
      const c = configs.find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId(f.name) }))!;
      expect(c.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [failures, 'Arn'] });
      expect(c.MaximumRetryAttempts).toBe(2);
    }
    expect(alarms().some((x) => x.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(x.Dimensions).includes(failures))).toBe(true);
  });

  it('alarms on every background function running near its timeout', () => {
    const durations = alarms().filter((x) => x.MetricName === 'Duration');
    const background = [...FUNCTIONS, ...FIXTURE_FUNCTIONS].filter((f) => !f.api);
    expect(durations).toHaveLength(background.length);
    const worker = durations.find((x) => JSON.stringify(x.Dimensions).includes(functionId('demo-worker')))!;
    expect(worker.Threshold).toBe(120 * 1000 * 0.8);
  });

  it('refuses a catalogue whose visibility timeout is shorter than the consumer timeout', () => {
    expect(() =>
      buildStack({ functions: [...FUNCTIONS, ...FIXTURE_FUNCTIONS], queues: [...QUEUES, { ...FIXTURE_QUEUES[0]!, visibilityTimeoutSeconds: 60 }] }),
    ).toThrow(/visibility timeout/);
  });

  it('the product catalogue names only consumers of the functions manifest', () => {
    for (const q of QUEUES) expect(FUNCTIONS.map((f) => f.name)).toContain(q.consumer);
  });
});

describe('usage collection fanned out per server', () => {
  it('has the usage-collect queue, consumed by usage-collector one server per invocation with partial batch responses', () => {
    const q = queueId('BackgroundWorkUsageCollectQueue');
    const m = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, x]) => x.Properties)
      .find((x) => JSON.stringify(x.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [q, 'Arn'] }))!;
    expect(m.FunctionName).toEqual({ Ref: functionId('usage-collector') });
    expect(m.BatchSize).toBe(1);
    expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(m.ScalingConfig).toEqual({ MaximumConcurrency: 20 });
    const spec = QUEUES.find((x) => x.name === 'usage-collect')!;
    expect(resources[q]!.Properties.RedrivePolicy.maxReceiveCount).toBe(spec.maxReceives);
    expect(resources[q]!.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(FUNCTIONS.find((f) => f.name === 'usage-collector')!.timeoutSeconds);
  });

  it('lets the schedule send only to usage-collect, and the collector to usage-collect and billing-plan, with SSM for the reports', () => {
    const sendsTo = (name: string) =>
      statementsOf(name)
        .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
        .map((s) => s.Resource['Fn::GetAtt'][0] as string)
        // A scheduled function may also send its failed invocations to the on-failure destination.
        .filter((id) => !id.startsWith('BackgroundWorkAsyncFailures'))
        .sort();
    expect(sendsTo('usage-daily')).toEqual([queueId('BackgroundWorkUsageCollectQueue')]);
    expect(sendsTo('usage-collector')).toEqual([queueId('BackgroundWorkBillingPlanQueue'), queueId('BackgroundWorkUsageCollectQueue')].sort());
    const actions = (name: string) => statementsOf(name).flatMap((s) => [s.Action].flat() as string[]);
    expect(actions('usage-collector')).toEqual(expect.arrayContaining(['ssm:SendCommand', 'ssm:GetCommandInvocation', 'logs:GetLogEvents']));
    expect(actions('usage-daily')).not.toContain('ssm:SendCommand');
    const env = resources[functionId('usage-collector')]!.Properties.Environment.Variables;
    expect(env.PROVISION_OUTPUT_LOG_GROUP).toBeDefined();
    expect(env.QUEUE_URL_BILLING_PLAN).toEqual({ Ref: queueId('BackgroundWorkBillingPlanQueue') });
  });

  it('alarms on the first server whose usage could not be collected (UsageServersFailed)', () => {
    const a = alarms().find((x) => x.MetricName === 'UsageServersFailed')!;
    expect(a).toBeDefined();
    expect(a.Namespace).toBe('ResellerPanel');
    expect(a.Threshold).toBe(1);
    expect(a.AlarmActions).toHaveLength(1);
  });
});
