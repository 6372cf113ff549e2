import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's source (web/) and its build (web/dist). */
export const CONSOLE_ROOT = resolve(fileURLToPath(new URL('../../web', import.meta.url)));
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * GET / and the built assets of the console. The caller asks only for paths that are not API
 * routes, so a file can never shadow one. Hashed assets are cached for good, index.html never.
 * Locally `config.json` says "the API is this origin"; on AWS it is written at deploy.
 */
export function consoleFiles(dir: string): (method: string, path: string) => StaticFile | undefined {
  const root = resolve(dir);
  return (method, path) => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) return undefined;
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (rel === 'config.json' && existsSync(join(root, 'index.html'))) {
        return { status: 200, headers: { 'content-type': TYPES['.json']!, 'cache-control': 'no-store' }, body: Buffer.from('{"apiUrl":""}') };
      }
      return undefined;
    }
    const immutable = rel.startsWith('assets/');
    return {
      status: 200,
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(rel === 'index.html' ? { 'content-security-policy': LOCAL_CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' } : {}),
      },
      body: readFileSync(file),
    };
  };
}

/** The same policy CloudFront sends, with the API on this origin. */
export const LOCAL_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) if (name !== 'dist' && name !== 'node_modules') max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Is the build missing or older than a source file of web/ (or the shared catalogue it imports)? */
export function consoleBuildIsStale(): boolean {
  const built = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const catalog = fileURLToPath(new URL('../../shared/domain/catalog.ts', import.meta.url));
  return Math.max(newest(CONSOLE_ROOT), statSync(catalog).mtimeMs) > statSync(built).mtimeMs;
}

/** Builds the console with Vite when the build is missing or stale (`npm start` on a fresh clone). */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<void> {
  if (!consoleBuildIsStale()) return;
  log('building the console (web/ → web/dist)');
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), logLevel: 'error' });
}
