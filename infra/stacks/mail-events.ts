/**
 * SES's side of the outbox on AWS (docs/mail.md): a configuration set every send names
 * (`SES_CONFIGURATION_SET`), whose event destination publishes Send, Reject, Bounce, Complaint and
 * DeliveryDelay events to an SNS topic (encrypted with a key of its own, TLS only), subscribed by
 * the ses-events function (functions/events/ses-events.ts). Nothing is lost quietly:
 * - SNS deliveries the function could not take (throttled, not invocable) go to a dead-letter queue;
 * - events the function failed on after Lambda's two retries go to an on-failure queue;
 * - an alarm fires on the first message of either.
 * The senders' permission is `ses:SendEmail` on the sending identity and this configuration set only
 * (`grantSend`).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** What SES publishes to the topic: what the outbox reads, and what an operator wants to see in the logs. */
export const MAIL_EVENT_TYPES = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
] as const;

export interface MailEventsProps {
  alarmAction: IAlarmAction;
}

export class MailEvents extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;

  private readonly alarmAction: IAlarmAction;

  constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    this.alarmAction = props.alarmAction;
    const stack = Stack.of(this);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      // TLS to the receiving mail servers, or no delivery.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      // SES's account-level suppression list applies too: an address that bounced for another
      // sender of the account is not tried again (the outbox marks the user from the event).
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: "Reseller panel: encrypts SES's send, bounce and complaint events on their SNS topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const configurationSetArn = stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName });
    // SES publishes to an encrypted topic only with the key's data keys (AWS: "Encrypted topics").
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SesPublishesEvents',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': configurationSetArn } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Reseller panel: SES events',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [...MAIL_EVENT_TYPES],
    });

  }

  /** The ses-events function (functions/events/ses-events.ts) takes the topic's events; nothing it cannot take is dropped. */
  subscribe(handler: lambda.IFunction): void {
    const failureQueue = (qid: string, what: string) => {
      const q = new sqs.Queue(this, qid, { retentionPeriod: Duration.days(14), encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
      Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This queue is itself where ${what} are kept; an alarm fires on its first message.` });
      return q;
    };
    const deliveryFailures = failureQueue('DeliveryFailures', 'SES events SNS could not deliver to the ses-events function');
    const handlerFailures = failureQueue('HandlerFailures', 'SES events the ses-events function failed on after two retries');

    this.topic.addSubscription(new LambdaSubscription(handler, { deadLetterQueue: deliveryFailures }));
    handler.configureAsyncInvoke({ onFailure: new SqsDestination(handlerFailures), retryAttempts: 2, maxEventAge: Duration.hours(6) });

    for (const [aid, q, what] of [
      ['DeliveryFailuresAlarm', deliveryFailures, 'SNS could not deliver an SES event to ses-events (kept in its dead-letter queue)'],
      ['HandlerFailuresAlarm', handlerFailures, 'ses-events failed on an SES event after Lambda retried it twice (kept in the on-failure queue)'],
    ] as const) {
      const a = q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }).createAlarm(this, aid, {
        alarmDescription: what,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(this.alarmAction);
      a.addOkAction(this.alarmAction);
    }
  }

  /** What the senders read (shared/adapters/ses/mailer-from-env.ts). */
  environment(): Record<string, string> {
    return { SES_CONFIGURATION_SET: this.configurationSet.configurationSetName };
  }

  /**
   * ses:SendEmail (the v2 API's only send action for simple content) on the sending identity and
   * this configuration set, and only with `mailFrom` as the sender: SES authorizes a send against
   * every resource it names, so a send naming any other configuration set or identity is refused.
   */
  grantSend(role: iam.IRole, mailFrom: string): void {
    const stack = Stack.of(this);
    const domain = mailFrom.slice(mailFrom.indexOf('@') + 1);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendMail',
        actions: ['ses:SendEmail'],
        resources: [
          ...[mailFrom, domain].map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': mailFrom } },
      }),
    );
  }
}
