import { App } from 'aws-cdk-lib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PanelConfig } from '../../infra/stacks/config';
import { ResellerPanelStack } from '../../infra/stacks/reseller-panel-stack';
import type { FunctionSpec } from '../../infra/functions-manifest';
import type { QueueSpec } from '../../infra/queues-manifest';

/** Context that keeps NodejsFunction from bundling (assets are not built in assertion tests). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export const TEST_CONFIG: Partial<PanelConfig> = {
  operatorEmail: 'operator@example.com',
  alarmEmail: 'alarms@example.com',
  mailFrom: 'noreply@example.com',
};

export function newApp(context: Record<string, unknown> = {}): App {
  // The built-in CloudFormation schema validation (a WASM engine, seconds per synth) stays on for
  // `npm run synth`; assertion tests check what they need themselves.
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'rp-cdk-')),
    context: { ...NO_BUNDLING, ...context },
    builtinCloudFormationValidation: false,
  });
}

export function buildStack(
  opts: { config?: Partial<PanelConfig>; functions?: readonly FunctionSpec[]; queues?: readonly QueueSpec[]; app?: App } = {},
): ResellerPanelStack {
  const app = opts.app ?? newApp();
  return new ResellerPanelStack(app, 'TestStack', { config: opts.config ?? TEST_CONFIG, functions: opts.functions, queues: opts.queues });
}
