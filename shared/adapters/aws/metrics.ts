/**
 * Product metrics as CloudWatch embedded metric format (EMF) lines in the function's log: Lambda
 * turns them into metrics of the `ResellerPanel` namespace without an API call. Alarms on them are
 * built from the queue catalogue (infra/queues-manifest.ts `failureMetric`). Outside Lambda (the
 * embedded runtime, tests) nothing is printed; `recorded` keeps what was emitted in this process.
 */
export const METRICS_NAMESPACE = 'ResellerPanel';

export const recorded: { name: string; value: number; properties: Record<string, string> }[] = [];

export function emitMetric(name: string, value: number, properties: Record<string, string> = {}): void {
  recorded.push({ name, value, properties });
  if (recorded.length > 1000) recorded.splice(0, recorded.length - 1000);
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      // No dimensions: one metric per name (the properties are searchable log fields, not dimensions).
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    [name]: value,
    ...properties,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
