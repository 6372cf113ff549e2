/**
 * Files a function's bundle carries beside its code, rendered at synth (bench/bundles.ts and the
 * bundle budget test write them the same way). Today one: the `docs` function's openapi.json, so
 * that function is a few lines reading a file instead of the whole route table with every handler
 * and client behind it (it had grown to the 600 KB budget by itself).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../functions/http/routes';
import { buildOpenApi } from '../../functions/http/openapi';
import { OPENAPI_FILE } from '../../functions/http/lambdas/docs-file';
import type { FunctionFiles } from '../functions-manifest';

const RENDER: Record<FunctionFiles, () => Record<string, string>> = {
  openapi: () => ({ [OPENAPI_FILE]: JSON.stringify(buildOpenApi(ROUTES, '0.1.0')) }),
};

/** The files, by name, of one kind. */
export function renderFunctionFiles(kind: FunctionFiles): Record<string, string> {
  return RENDER[kind]();
}

/** Writes the files into a directory of their own and returns it (for a bundling hook to copy from). */
export function stageFunctionFiles(kind: FunctionFiles): string {
  const staged = STAGED.get(kind);
  if (staged) return staged; // once per process: a test synthesizes many stacks
  const dir = mkdtempSync(join(tmpdir(), `rp-files-${kind}-`));
  for (const [name, body] of Object.entries(renderFunctionFiles(kind))) writeFileSync(join(dir, name), body);
  STAGED.set(kind, dir);
  return dir;
}
const STAGED = new Map<FunctionFiles, string>();
