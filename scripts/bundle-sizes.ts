/** Every function bundle's minified size as the stack builds it: `npx tsx scripts/bundle-sizes.ts` (the budget test: test/infra/bundle-budget.test.ts). */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS } from '../infra/functions-manifest';
import { BUNDLE, esbuildOptions } from '../infra/stacks/bundling';
for (const f of FUNCTIONS) { const o = join('/tmp/sz', f.name, BUNDLE.outFile); await build(esbuildOptions(resolve(f.entry), o)); console.log(f.name, (statSync(o).size/1024).toFixed(1)); }
