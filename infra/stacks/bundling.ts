/**
 * How every Lambda function is bundled, in one place: the stack turns it into NodejsFunction
 * bundling options, bench/bundles.ts into the equivalent esbuild options, so the benchmark measures
 * exactly what is deployed.
 *
 * ESM output (the package is "type": "module"; middy 6 and Powertools ship ESM), everything bundled
 * in, the AWS SDK v3 included (no externals: the SDK version is the one in package-lock.json, not
 * whatever the Lambda runtime happens to carry). The banner gives CommonJS dependencies a `require`
 * for Node built-ins, which esbuild cannot turn into imports in an ESM bundle.
 */
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const BUNDLE = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  /** Prefer the ESM build of dependencies (better tree shaking of the AWS SDK). */
  mainFields: ['module', 'main'] as string[],
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  externals: [] as string[],
  /**
   * In Lambda the role's credentials are always in the environment: the default provider chain
   * (SSO, INI, process, web identity, IMDS: ~130 KB) is swapped for the environment provider.
   */
  alias: { '@aws-sdk/credential-provider-node': './shared/adapters/aws/lambda-credentials.ts' } as Record<string, string>,
  /** The file NodejsFunction writes for ESM output; the handler is `index.<export>`. */
  outFile: 'index.mjs',
} as const;

/** Environment every function gets so stack traces point at the TypeScript sources. */
export const BUNDLE_RUNTIME_ENV = { NODE_OPTIONS: '--enable-source-maps' } as const;

/** `filesDir`: files to copy beside the bundle (infra/stacks/function-files.ts). */
export function nodejsBundlingOptions(filesDir?: string): BundlingOptions {
  return {
    ...(filesDir
      ? {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_input: string, output: string) => [`cp -R "${filesDir}"/. "${output}"/`],
          },
        }
      : {}),
    forceDockerBundling: false,
    target: BUNDLE.target,
    format: OutputFormat.ESM,
    minify: BUNDLE.minify,
    sourceMap: BUNDLE.sourcemap,
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    externalModules: [...BUNDLE.externals],
    bundleAwsSDK: true,
    esbuildArgs: Object.fromEntries(
      Object.entries(BUNDLE.alias).map(([from, to]) => [`--alias:${from}`, path.join(REPO_ROOT, to)]),
    ),
  };
}

/** The esbuild options NodejsFunction uses for the same bundle (for the benchmark). */
export function esbuildOptions(entryPath: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entryPath],
    bundle: true,
    outfile,
    platform: BUNDLE.platform,
    target: BUNDLE.target,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourcemap,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [...BUNDLE.externals],
    alias: Object.fromEntries(Object.entries(BUNDLE.alias).map(([from, to]) => [from, path.join(REPO_ROOT, to)])),
    logLevel: 'warning',
  };
}
