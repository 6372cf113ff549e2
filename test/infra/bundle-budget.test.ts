import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions-manifest';
import { BUNDLE, esbuildOptions } from '../../infra/stacks/bundling';
import { renderFunctionFiles } from '../../infra/stacks/function-files';
import { ROUTES } from '../../functions/http/routes';
import { buildOpenApi } from '../../functions/http/openapi';

/** The brief's budget: each Lambda bundle at most 600 KB minified (bench/bundles.ts also times loading). */
const LIMIT_KB = 600;
const dir = mkdtempSync(join(tmpdir(), 'rp-bundle-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(spec: (typeof FUNCTIONS)[number]): Promise<string> {
  const outfile = join(dir, spec.name, BUNDLE.outFile);
  await build(esbuildOptions(resolve(spec.entry), outfile));
  for (const [name, body] of Object.entries(spec.files ? renderFunctionFiles(spec.files) : {})) writeFileSync(join(dirname(outfile), name), body);
  return outfile;
}

describe('Lambda bundles', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s is at most 600 KB minified', async (name, spec) => {
    const kb = statSync(await bundle(spec)).size / 1024;
    expect(kb, `${name}: ${kb.toFixed(1)} KB`).toBeLessThanOrEqual(LIMIT_KB);
  }, 60_000);

  it('docs serves the route table’s document from the file rendered beside its bundle', async () => {
    const spec = FUNCTIONS.find((f) => f.name === 'docs')!;
    const mod = (await import(pathToFileURL(await bundle(spec)).href)) as { handler: () => Promise<{ statusCode: number; headers: Record<string, string>; body: string }> };
    const res = await mod.handler();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual(JSON.parse(JSON.stringify(buildOpenApi(ROUTES, '0.1.0'))));
    expect(statSync(await bundle(spec)).size / 1024).toBeLessThan(20);
  }, 60_000);
});
