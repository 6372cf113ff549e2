/** What a Lambda bundle is made of: `npx tsx scripts/bundle-contents.ts <entry> [filter]` lists its largest inputs and the bytes per package. */
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/stacks/bundling';
const name = process.argv[2];
const r = await build({ ...esbuildOptions(`${process.cwd()}/${name}`, '/tmp/meta-out/index.mjs'), metafile: true });
const out = Object.values(r.metafile!.outputs).find((o) => o.entryPoint)!;
const rows = Object.entries(out.inputs).map(([f, i]) => [f, i.bytesInOutput] as const).sort((a, b) => b[1] - a[1]);
const filt = process.argv[3];
for (const [f, b] of rows.filter(([f]) => !filt || f.includes(filt)).slice(0, 40)) console.log((b / 1024).toFixed(1).padStart(7), f);
const byPkg = new Map<string, number>();
for (const [f, b] of rows) { const m = f.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/); const k = m ? m[1]! : f.split('/').slice(0, 2).join('/'); byPkg.set(k, (byPkg.get(k) ?? 0) + b); }
console.log('--- by package');
for (const [k, b] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((b / 1024).toFixed(1).padStart(7), k);
