/**
 * Custom metrics (CloudWatch on AWS through the embedded metric format: one JSON log line, no API
 * call; kept in memory by the embedded runtime). Alarms on them live in the CDK construct.
 */
export interface Metrics {
  publish(name: string, value: number, opts?: { unit?: 'Count' | 'Seconds' | 'None'; dimensions?: Record<string, string> }): void;
}

/** The namespace of the product's own metrics. */
export const METRICS_NAMESPACE = 'ResellerPanel';
