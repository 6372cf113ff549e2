import { METRICS_NAMESPACE, type Metrics } from '../../ports/metrics';

/**
 * CloudWatch's embedded metric format written to stdout (Lambda sends it to CloudWatch Logs, which
 * extracts the metric: no PutMetricData call, no extra permission). Every value is also kept in
 * `published` (the embedded runtime and tests read it there; locally nothing is printed).
 */
export class EmfMetrics implements Metrics {
  readonly published: { name: string; value: number; dimensions: Record<string, string>; at: number }[] = [];

  constructor(
    private readonly print: boolean,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  publish(name: string, value: number, opts: { unit?: 'Count' | 'Seconds' | 'None'; dimensions?: Record<string, string> } = {}): void {
    const dimensions = opts.dimensions ?? {};
    const at = Date.now();
    this.published.push({ name, value, dimensions, at });
    if (this.published.length > 1000) this.published.splice(0, this.published.length - 1000);
    if (!this.print) return;
    this.write(
      JSON.stringify({
        _aws: {
          Timestamp: at,
          CloudWatchMetrics: [
            { Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: opts.unit ?? 'Count' }] },
          ],
        },
        ...dimensions,
        [name]: value,
      }),
    );
  }
}

/** On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) the lines go to the log; elsewhere they are only kept. */
export const metricsFromEnv = (env: Record<string, string | undefined>) => new EmfMetrics(Boolean(env.AWS_LAMBDA_FUNCTION_NAME));
