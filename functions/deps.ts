import { composeFromEnv, type AppDeps } from '../shared/adapters/compose';

let deps: Promise<AppDeps> | undefined;

/**
 * The adapters of this process, built once (a Lambda cold start). The local runtime injects its own
 * (DynamoDB Local, dev clock, local SES) with `provideDeps`, so every handler and job runs on them.
 */
export function appDeps(): Promise<AppDeps> {
  deps ??= composeFromEnv(process.env);
  return deps;
}

export function provideDeps(d: AppDeps | Promise<AppDeps>): void {
  deps = Promise.resolve(d);
}
