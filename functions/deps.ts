import { composeFromEnv, type AppDeps, type ComposeParts } from '../shared/adapters/compose';

let deps: Promise<AppDeps> | undefined;

/**
 * The adapters of this process, built once (a Lambda cold start), with the heavy parts (identity,
 * mailer, key cipher) the calling function needs. The local runtime injects its own (DynamoDB Local, dev clock, local SES, embedded
 * issuer) with `provideDeps`, so every handler and job runs on them.
 */
export function appDeps(parts: Omit<ComposeParts, 'clock' | 'provisioner'> = {}): Promise<AppDeps> {
  deps ??= composeFromEnv(process.env, parts);
  return deps;
}

export function provideDeps(d: AppDeps | Promise<AppDeps>): void {
  deps = Promise.resolve(d);
  injected = true;
}

let injected = false;
/** The deps the local runtime injected, if any (jobs that compose less on AWS use them locally). */
export function injectedDeps(): Promise<AppDeps> | undefined {
  return injected ? deps : undefined;
}
