import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './support';

let resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = (type: string) => {
  const all = ofType(type);
  expect(all, type).toHaveLength(1);
  return all[0]!;
};
const functionId = (name: string) =>
  ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `Reseller panel: ${name}`)![0];
const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOf = (name: string) =>
  ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleOf(name)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
const actions = (s: any) => [s.Action].flat() as string[];

beforeAll(() => {
  resources = Template.fromStack(buildStack()).toJSON().Resources;
});

describe('SES events on AWS (infra/stacks/mail-events.ts)', () => {
  it('one configuration set, TLS required, publishing send, reject, bounce, complaint and delay events to the topic', () => {
    const [setId, set] = only('AWS::SES::ConfigurationSet');
    expect(set.Properties.DeliveryOptions).toEqual({ TlsPolicy: 'REQUIRE' });
    expect(set.Properties.SuppressionOptions.SuppressedReasons.sort()).toEqual(['BOUNCE', 'COMPLAINT']);
    const [, dest] = only('AWS::SES::ConfigurationSetEventDestination');
    expect(dest.Properties.ConfigurationSetName).toEqual({ Ref: setId });
    const ed = dest.Properties.EventDestination;
    expect(ed.Enabled).toBe(true);
    expect(ed.MatchingEventTypes.sort()).toEqual(['bounce', 'complaint', 'deliveryDelay', 'reject', 'send']);
    const [topicId] = ofType('AWS::SNS::Topic').find(([id]) => id.startsWith('MailEvents'))!;
    expect(ed.SnsDestination.TopicARN).toEqual({ Ref: topicId });
  });

  it('the topic is encrypted with a rotating key SES may use only for this configuration set, and only SES may publish', () => {
    const [topicId, topic] = ofType('AWS::SNS::Topic').find(([id]) => id.startsWith('MailEvents'))!;
    const keyRef = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = resources[keyRef]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const ses = (key.Properties.KeyPolicy.Statement as any[]).find((s) => s.Sid === 'SesPublishesEvents');
    expect(ses.Principal).toEqual({ Service: 'ses.amazonaws.com' });
    expect(actions(ses).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(ses.Condition)).toContain('configuration-set/');
    const policies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) => JSON.stringify(p.Properties.Topics).includes(topicId));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const publish = statements.filter((s) => s.Effect === 'Allow' && actions(s).includes('sns:Publish'));
    expect(publish.map((s) => s.Principal)).toEqual([{ Service: 'ses.amazonaws.com' }]);
    expect(JSON.stringify(publish[0].Condition)).toContain('configuration-set/');
    // TLS only.
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
  });

  it('the ses-events function takes the topic, with a dead-letter queue for deliveries and an on-failure queue for errors, both alarmed', () => {
    const fn = functionId('ses-events');
    const subs = ofType('AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'lambda');
    expect(subs).toHaveLength(1);
    const sub = subs[0]![1].Properties;
    expect(sub.Endpoint).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    const dlq = sub.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
    expect(dlq).toMatch(/^MailEventsDeliveryFailures/);
    const perm = ofType('AWS::Lambda::Permission').find(([, p]) => p.Properties.Principal === 'sns.amazonaws.com')!;
    expect(perm[1].Properties.FunctionName).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    const [, invoke] = ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties.FunctionName).includes(fn))!;
    expect(invoke.Properties.MaximumRetryAttempts).toBe(2);
    const onFailure = invoke.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
    expect(onFailure).toMatch(/^MailEventsHandlerFailures/);
    const alarmed = ofType('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties.Dimensions));
    for (const q of [dlq, onFailure]) {
      expect(resources[q]!.Properties.SqsManagedSseEnabled).toBe(true);
      expect(alarmed.some((d) => d.includes(q))).toBe(true);
    }
  });

  it('senders may SendEmail only from MAIL_FROM, on its identity and this configuration set, and know its name', () => {
    const [setId] = only('AWS::SES::ConfigurationSet');
    const send = resources[functionId('mail-send')]!.Properties;
    expect(send.Environment.Variables.SES_CONFIGURATION_SET).toEqual({ Ref: setId });
    const ses = statementsOf('mail-send').filter((s) => actions(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(actions(ses[0])).toEqual(['ses:SendEmail']);
    expect(ses[0].Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'noreply@example.com' } });
    const arns = JSON.stringify(ses[0].Resource);
    expect(arns).toContain(':identity/noreply@example.com');
    expect(arns).toContain(':identity/example.com');
    expect(arns).toContain(':configuration-set/');
    expect(arns).toContain(setId);
    expect(arns).not.toContain('*');
    // Nobody else sends mail: every other function has no SES action at all.
    for (const [, f] of ofType('AWS::Lambda::Function')) {
      const description = String(f.Properties.Description);
      if (!description.startsWith('Reseller panel: ')) continue; // CDK's own providers
      const name = description.replace('Reseller panel: ', '');
      if (name === 'mail-send') continue;
      expect(statementsOf(name).flatMap(actions).filter((a) => a.startsWith('ses:')), name).toEqual([]);
    }
    // The events handler reads and writes the table, nothing else.
    expect(statementsOf('ses-events').flatMap(actions).filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('xray:') && !a.startsWith('sqs:'))).toEqual([]);
  });
});
