import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/http/openapi';
import { ROUTES } from '../../functions/http/routes';
import { DEV_OPENAPI } from '../../infra/local/dev-openapi';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'rp-openapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = buildOpenApi(ROUTES, '0.1.0') as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown; $ref?: string }> }>> };

/** `redocly lint` with its recommended rules (the default without a config file). */
function lint(name: string, document: unknown): { status: number | null; out: string } {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document));
  const run = spawnSync(bin('redocly'), ['lint', file, '--format=stylish'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, out: `${run.stdout}\n${run.stderr}` };
}

describe('GET /openapi.json', () => {
  it('describes the success body of every operation (none but 204 without one)', () => {
    for (const r of ROUTES) {
      const op = doc.paths[r.path]![r.method.toLowerCase()]!;
      const ok = op.responses[String(r.status)];
      expect(ok, `${r.method} ${r.path}`).toBeDefined();
      if (r.status !== 204) expect(ok!.content, `${r.method} ${r.path} has no documented body`).toBeDefined();
      expect(Object.keys(op.responses).some((s) => s.startsWith('4')), `${r.method} ${r.path}`).toBe(true);
    }
  });

  it('passes redocly lint (recommended rules) with no error and no warning; so does the /__dev document', { timeout: 240_000 }, () => {
    for (const [name, d] of [['openapi.json', doc], ['dev-openapi.json', DEV_OPENAPI]] as const) {
      const { status, out } = lint(name, d);
      expect(out, name).toContain('Your API description is valid');
      expect(out, name).not.toMatch(/\d+:\d+\s+warning\s/);
      expect(status, out).toBe(0);
    }
  });

  it('generates a TypeScript client (openapi-typescript) that a program type-checks against', { timeout: 240_000 }, () => {
    const input = join(dir, 'client-input.json');
    writeFileSync(input, JSON.stringify(doc));
    const generatedDir = join(ROOT, 'test/contract/client/generated');
    mkdirSync(generatedDir, { recursive: true });
    const gen = spawnSync(bin('openapi-typescript'), [input, '-o', join(generatedDir, 'api.ts')], { encoding: 'utf8', timeout: 120_000 });
    expect(gen.status, gen.stderr).toBe(0);
    const tsc = spawnSync(bin('tsc'), ['-p', join(ROOT, 'test/contract/client/tsconfig.json')], { encoding: 'utf8', timeout: 180_000 });
    expect(tsc.status, `${tsc.stdout}\n${tsc.stderr}`).toBe(0);
  });
});
