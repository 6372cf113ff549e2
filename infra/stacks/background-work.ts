/**
 * Background work on AWS, from the queue catalogue (infra/queues-manifest.ts) and the functions
 * manifest: per queue a standard SQS queue and its dead-letter queue (SSE, TLS only), the event
 * source mapping to its consumer (partial batch responses, maximum concurrency), sqs:SendMessage
 * for exactly the functions that list the queue in `sends`; and "nothing fails silently": an
 * on-failure destination for every asynchronously invoked function (the scheduled jobs), alarms on
 * every dead-letter queue, on the age of each queue's oldest message and on job durations near
 * their timeout.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../functions-manifest';
import type { QueueSpec } from '../queues-manifest';
import type { MetricAlarmSpec } from '../metric-alarms';
import { queueUrlEnv } from '../../shared/adapters/sqs/sqs-work-queue';

export interface BackgroundWorkProps {
  queues: readonly QueueSpec[];
  specs: readonly FunctionSpec[];
  functions: ReadonlyMap<string, NodejsFunction>;
  alarmAction: IAlarmAction;
  /** Alarms on the product's own metrics (infra/metric-alarms.ts), e.g. AccountsNotBilled by 03:00 UTC. */
  metricAlarms?: readonly MetricAlarmSpec[];
}

const pascal = (name: string) => name.replace(/(^|[-_\s]+)(\w)/g, (_m, _s, c: string) => c.toUpperCase());

/** A job whose longest run passes this share of its timeout raises an alarm before it starts failing. */
export const DURATION_ALARM_SHARE = 0.8;

export class BackgroundWork extends Construct {
  readonly queues = new Map<string, { queue: sqs.Queue; deadLetters: sqs.Queue }>();
  /** Where failed asynchronous invocations (after Lambda's own two retries) are kept. */
  readonly asyncFailures: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: BackgroundWorkProps) {
    super(scope, id);
    const fiveMin = Duration.minutes(5);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, opts: Omit<cloudwatch.CreateAlarmOptions, 'evaluationPeriods'> & { evaluationPeriods?: number }) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...opts,
      });
      a.addAlarmAction(props.alarmAction);
      a.addOkAction(props.alarmAction);
      return a;
    };
    const fnOf = (name: string, what: string) => {
      const fn = props.functions.get(name);
      if (!fn) throw new Error(`${what}: no function ${name} in the functions manifest`);
      return fn;
    };

    for (const q of props.queues) {
      const consumer = props.specs.find((s) => s.name === q.consumer);
      if (!consumer) throw new Error(`queue ${q.name}: consumer ${q.consumer} is not in the functions manifest`);
      if (q.visibilityTimeoutSeconds < consumer.timeoutSeconds) {
        throw new Error(`queue ${q.name}: visibility timeout ${q.visibilityTimeoutSeconds} s is shorter than ${q.consumer}'s timeout ${consumer.timeoutSeconds} s`);
      }
      if (q.maxConcurrency < 2 || q.maxConcurrency > 1000) throw new Error(`queue ${q.name}: maxConcurrency must be 2..1000`);
      const P = pascal(q.name);
      const deadLetters = new sqs.Queue(this, `${P}DeadLetters`, {
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      Validations.of(deadLetters).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself the dead-letter queue of work queue ${q.name}; an alarm fires on its first message.`,
      });
      const queue = new sqs.Queue(this, `${P}Queue`, {
        visibilityTimeout: Duration.seconds(q.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: q.maxReceives },
      });
      fnOf(q.consumer, `queue ${q.name}`).addEventSource(
        new SqsEventSource(queue, { batchSize: q.batchSize, reportBatchItemFailures: true, maxConcurrency: q.maxConcurrency }),
      );
      this.queues.set(q.name, { queue, deadLetters });
      alarm(`${P}DeadLettersAlarm`, deadLetters.metricApproximateNumberOfMessagesVisible({ period: fiveMin, statistic: 'Maximum' }), {
        alarmDescription: `Work queue ${q.name}: a message failed ${q.maxReceives} times and is in the dead-letter queue (see the message log)`,
        threshold: 1,
      });
      alarm(`${P}AgeAlarm`, queue.metricApproximateAgeOfOldestMessage({ period: fiveMin, statistic: 'Maximum' }), {
        alarmDescription: `Work queue ${q.name}: the oldest message has waited more than ${q.maxAgeSeconds} s`,
        threshold: q.maxAgeSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }

    for (const spec of props.specs) {
      for (const name of spec.sends ?? []) {
        const q = this.queues.get(name);
        if (!q) throw new Error(`function ${spec.name} sends to ${name}, which is not in the queue catalogue`);
        const fn = fnOf(spec.name, `sends of ${spec.name}`);
        q.queue.grantSendMessages(fn);
        fn.addEnvironment(queueUrlEnv(name), q.queue.queueUrl);
      }
    }

    // Scheduled jobs are invoked asynchronously: after Lambda's own retries the event is kept here.
    const scheduled = props.specs.filter((s) => s.schedule);
    if (scheduled.length) {
      this.asyncFailures = new sqs.Queue(this, 'AsyncFailures', {
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      Validations.of(this.asyncFailures).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the on-failure destination of the asynchronous invocations; an alarm fires on its first message.',
      });
      for (const spec of scheduled) {
        fnOf(spec.name, 'async invoke').configureAsyncInvoke({
          onFailure: new SqsDestination(this.asyncFailures),
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        });
      }
      alarm('AsyncFailuresAlarm', this.asyncFailures.metricApproximateNumberOfMessagesVisible({ period: fiveMin, statistic: 'Maximum' }), {
        alarmDescription: 'A scheduled job failed after Lambda retried it twice (the event is kept in the on-failure queue)',
        threshold: 1,
      });
    }

    const missing = {
      ignore: cloudwatch.TreatMissingData.IGNORE,
      breaching: cloudwatch.TreatMissingData.BREACHING,
      notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
    } as const;
    for (const m of props.metricAlarms ?? []) {
      const metric = new cloudwatch.Metric({
        namespace: m.namespace,
        metricName: m.metric,
        dimensionsMap: m.dimensions,
        statistic: m.statistic,
        period: Duration.minutes(m.periodMinutes),
      });
      alarm(m.id, metric, { alarmDescription: m.description, threshold: m.threshold, treatMissingData: missing[m.missing] });
    }

    // Every background function (not the HTTP API, whose latency has its own alarm).
    for (const spec of props.specs.filter((s) => !s.api)) {
      const fn = fnOf(spec.name, 'duration alarm');
      alarm(`${pascal(spec.name)}DurationAlarm`, fn.metricDuration({ period: fiveMin, statistic: 'Maximum' }), {
        alarmDescription: `Lambda ${spec.name}: a run took more than ${DURATION_ALARM_SHARE * 100}% of its ${spec.timeoutSeconds} s timeout`,
        threshold: spec.timeoutSeconds * 1000 * DURATION_ALARM_SHARE,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
  }
}
