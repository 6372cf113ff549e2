/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). One environment-agnostic stack, settings from
 * context or environment (infra/stacks/config.ts), cdk-nag AwsSolutions checks on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './stacks/config';
import { ResellerPanelStack } from './stacks/reseller-panel-stack';

export function buildApp(app: App = new App()): { app: App; stack: ResellerPanelStack } {
  const stackName = app.node.tryGetContext('stackName') ?? process.env.STACK_NAME ?? 'ResellerPanel';
  const stack = new ResellerPanelStack(app, 'ResellerPanelStack', {
    stackName,
    description: 'Reseller panel: HTTP API, Lambda, DynamoDB, Cognito, SSM provisioning, alarms',
    config: readConfig(app.node),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && /infra[\\/]app\.ts$/.test(process.argv[1])) {
  buildApp().app.synth();
}
