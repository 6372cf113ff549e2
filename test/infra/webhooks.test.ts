/**
 * The webhook infrastructure from the catalogues (docs/webhooks.md): two queues with dead letters
 * and their consumers, the sweeper's schedule, and least privilege: only the producers send, only
 * the functions that hold secrets use the data key, and nothing here sends mail or commands.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions-manifest';
import { QUEUES } from '../../infra/queues-manifest';
import { buildStack } from './support';

let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionId = (name: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `Reseller panel: ${name}`)![0];
const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (name: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
const actionsOf = (name: string) => statementsOf(name).flatMap((s) => [s.Action].flat() as string[]);
const queueId = (prefix: string) => ofType('AWS::SQS::Queue').find(([id]) => id.startsWith(prefix))![0];
const sendsTo = (name: string, queue: string) =>
  statementsOf(name).some((s) => [s.Action].flat().includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queueId(queue)));

beforeAll(() => {
  resources = Template.fromStack(buildStack()).toJSON().Resources;
});

describe('webhook infrastructure', () => {
  it('builds the fan-out and deliver queues with dead letters, mapped to their consumers', () => {
    for (const [queue, consumer, prefix] of [
      ['webhook-fanout', 'webhook-fanout', 'BackgroundWorkWebhookFanoutQueue'],
      ['webhook-deliver', 'webhook-deliver', 'BackgroundWorkWebhookDeliverQueue'],
    ] as const) {
      const spec = QUEUES.find((q) => q.name === queue)!;
      const q = resources[queueId(prefix)]!.Properties;
      expect(q.SqsManagedSseEnabled).toBe(true);
      expect(q.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(q.RedrivePolicy.maxReceiveCount).toBe(spec.maxReceives);
      const fn = FUNCTIONS.find((f) => f.name === consumer)!;
      expect(spec.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(fn.timeoutSeconds);
      const m = ofType('AWS::Lambda::EventSourceMapping')
        .map(([, x]) => x.Properties)
        .find((x) => JSON.stringify(x.FunctionName) === JSON.stringify({ Ref: functionId(consumer) }))!;
      expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId(prefix), 'Arn'] });
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('lets exactly the producers send to each queue', () => {
    const senders = (prefix: string) =>
      FUNCTIONS.filter((f) => sendsTo(f.name, prefix))
        .map((f) => f.name)
        .sort();
    expect(senders('BackgroundWorkWebhookDeliverQueue')).toEqual(['webhook-deliver', 'webhook-fanout', 'webhooks']);
    expect(senders('BackgroundWorkWebhookFanoutQueue')).toEqual(['billing', 'mail-fanout', 'mail-send', 'users', 'webhook-sweep']);
    expect(resources[functionId('webhook-sweep')]!.Properties.Environment.Variables.QUEUE_URL_WEBHOOK_FANOUT).toEqual({ Ref: queueId('BackgroundWorkWebhookFanoutQueue') });
  });

  it('gives the data key only to the functions that encrypt or use the signing secrets, and nothing else to them', () => {
    for (const name of ['webhooks', 'webhook-deliver']) {
      expect(actionsOf(name)).toContain('kms:Decrypt');
      for (const a of actionsOf(name)) expect(a, `${name}: ${a}`).not.toMatch(/^(ses|ssm|cognito-idp):/);
    }
    expect(actionsOf('webhook-fanout')).not.toContain('kms:Decrypt');
    // The sweeper only reads the table.
    expect(actionsOf('webhook-sweep').filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('runs the sweeper every minute through EventBridge Scheduler', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    const sweep = schedules.find((s) => JSON.stringify(s.Target.Arn).includes(functionId('webhook-sweep')))!;
    expect(sweep.ScheduleExpression).toBe('rate(1 minute)');
  });

  it('serves the webhook routes from a function of their own', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    for (const k of ['POST /webhooks', 'GET /webhooks', 'GET /webhooks/{webhookId}', 'DELETE /webhooks/{webhookId}', 'GET /webhooks/{webhookId}/deliveries', 'POST /webhooks/{webhookId}/deliveries/{deliveryId}/replay']) {
      expect(routes).toContain(k);
    }
    expect(FUNCTIONS.find((f) => f.name === 'webhooks')?.api).toBe('routes');
  });
});
