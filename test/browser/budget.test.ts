import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../../infra/local/console-files';

const BUDGET = 200 * 1024;

describe('the console build', () => {
  let html: string;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
  }, 120_000);

  it('loads at most 200 KB of gzip-compressed JavaScript on first load', () => {
    const entry = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
    expect(entry.length).toBeGreaterThan(0);
    const gzipped = entry.reduce((sum, src) => sum + gzipSync(readFileSync(join(CONSOLE_DIST, src.replace(/^\.\//, '')))).length, 0);
    console.log(`console first load: ${entry.length} script(s), ${(gzipped / 1024).toFixed(1)} KB gzip`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });

  it('has no inline script or style, so the strict CSP holds', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
  });
});
