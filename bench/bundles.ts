/**
 * Per Lambda bundle: its minified size and the time to load it in a fresh Node process.
 *
 * Every function of infra/functions-manifest.ts is bundled with the very options the stack gives
 * NodejsFunction (infra/stacks/bundling.ts), into a temporary directory outside the repository that
 * is removed afterwards; only bench/results/bundles.json is written (when run directly). Loading is measured by spawning `node` several times, each importing the
 * bundle once and reporting how long the import took (median over the runs); the wall time of the
 * whole process (Node start-up included) is reported too. Runs with the NODE_OPTIONS the stack sets
 * (source maps on) and, for comparison, without.
 *
 *   npx tsx bench/bundles.ts        # prints the table and writes bench/results/bundles.json
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionSpec } from '../infra/functions-manifest';
import { BUNDLE, BUNDLE_RUNTIME_ENV, esbuildOptions } from '../infra/stacks/bundling';
import { renderFunctionFiles } from '../infra/stacks/function-files';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');
/** The budget of issue 2: each Lambda bundle at most 600 KB minified. */
export const BUNDLE_LIMIT_KB = 600;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One fresh process: import the bundle, print the import time in ms. */
function loadOnce(file: string, handler: string, nodeOptions: string): { importMs: number; processMs: number } {
  const script =
    `const t=performance.now();const m=await import(${JSON.stringify(pathToFileURL(file).href)});` +
    `if(typeof m[${JSON.stringify(handler)}]!=='function')throw new Error('no handler export');` +
    `process.stdout.write(String(performance.now()-t));`;
  const started = process.hrtime.bigint();
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // A clean environment like Lambda's: no tsx loader, no inherited NODE_OPTIONS.
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, AWS_REGION: 'eu-central-1', TABLE_NAME: 'bench' },
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (out.status !== 0) throw new Error(`loading ${file} failed: ${out.stderr}`);
  return { importMs: Number(out.stdout), processMs };
}

async function benchOne(spec: FunctionSpec): Promise<{ name: string; figures: Record<string, number | string> }> {
  const dir = mkdtempSync(join(tmpdir(), `rp-bundle-${spec.name}-`));
  try {
    return await measureBundle(spec, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureBundle(spec: FunctionSpec, dir: string): Promise<{ name: string; figures: Record<string, number | string> }> {
  const outfile = join(dir, BUNDLE.outFile);
  const t0 = performance.now();
  await build(esbuildOptions(join(ROOT, spec.entry), outfile));
  for (const [name, body] of Object.entries(spec.files ? renderFunctionFiles(spec.files) : {})) writeFileSync(join(dir, name), body);
  const bundleMs = performance.now() - t0;
  const sizeKb = statSync(outfile).size / 1024;
  const mapKb = statSync(`${outfile}.map`).size / 1024;

  const measure = (nodeOptions: string) => {
    loadOnce(outfile, spec.handler, nodeOptions); // warm the file system cache
    const runs = Array.from({ length: RUNS }, () => loadOnce(outfile, spec.handler, nodeOptions));
    return { importMs: median(runs.map((r) => r.importMs)), processMs: median(runs.map((r) => r.processMs)) };
  };
  const deployed = measure(BUNDLE_RUNTIME_ENV.NODE_OPTIONS);
  const plain = measure('');
  return {
    name: `bundle ${spec.name}`,
    figures: {
      entry: spec.entry,
      sizeKb: round(sizeKb),
      sourceMapKb: round(mapKb),
      limitKb: BUNDLE_LIMIT_KB,
      withinLimit: sizeKb <= BUNDLE_LIMIT_KB ? 'yes' : 'no',
      loadMsMedian: round(deployed.importMs),
      processMsMedian: round(deployed.processMs),
      loadMsMedianNoSourceMaps: round(plain.importMs),
      processMsMedianNoSourceMaps: round(plain.processMs),
      runs: RUNS,
      bundleMs: round(bundleMs),
      format: BUNDLE.format,
      target: BUNDLE.target,
      node: process.version,
    },
  };
}

export async function runBundleBench(): Promise<{ name: string; figures: Record<string, number | string> }[]> {
  const results = [];
  for (const spec of FUNCTIONS) results.push(await benchOne(spec));
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const results = await runBundleBench();
  for (const r of results) {
    console.log(r.name);
    for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(28)} ${v}`);
  }
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, 'bundles.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`written to ${file}`);
  if (results.some((r) => r.figures.withinLimit === 'no')) process.exitCode = 1;
}
