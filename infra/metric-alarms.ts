import { METRICS_NAMESPACE } from '../shared/ports/metrics';

/**
 * Alarms on the product's own metrics (shared/ports/metrics.ts, published as EMF), as data beside
 * the functions and queue manifests; infra/stacks/background-work.ts builds one CloudWatch alarm each.
 */
export interface MetricAlarmSpec {
  /** Construct id (PascalCase) of the alarm. */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  statistic: 'Maximum' | 'Sum' | 'Minimum';
  periodMinutes: number;
  /** The alarm fires at or above this value. */
  threshold: number;
  /**
   * What a period without a value means. A once-a-day metric keeps its state ('ignore') until the
   * next value; the job that publishes it has its own failure destination and alarms.
   */
  missing: 'ignore' | 'breaching' | 'notBreaching';
  description: string;
}

export const METRIC_ALARMS: readonly MetricAlarmSpec[] = [
  {
    id: 'AccountsNotBilledAlarm',
    namespace: METRICS_NAMESPACE,
    metric: 'AccountsNotBilled',
    // Published by billing-check at 03:00 UTC: accounts due up to today that no run brought there.
    dimensions: { Source: 'check' },
    statistic: 'Maximum',
    periodMinutes: 60,
    threshold: 1,
    missing: 'ignore',
    description:
      "Billing: accounts due up to today are not billed at 03:00 UTC (today's run unfinished or failed accounts: GET /operator/runs, the billing dead-letter queue and the message log)",
  },
  {
    id: 'UsageServersFailedAlarm',
    namespace: METRICS_NAMESPACE,
    metric: 'UsageServersFailed',
    // Published by usage-collector, 1 per server whose usage of a day could not be collected.
    dimensions: {},
    statistic: 'Sum',
    periodMinutes: 5,
    threshold: 1,
    missing: 'notBreaching',
    description:
      "Usage: a server's usage of a day could not be collected after the retries: counted failed in the usage run, error in the operator's message log (GET /operator/messages); billing went on without it, re-collect the day for the server (POST /operator/usage/recollect)",
  },
];
