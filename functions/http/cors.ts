/**
 * CORS: which browser pages on other origins may call the API. One list of origins
 * (`CORS_ORIGINS`, comma-separated; none by default, so no CORS at all), read by the CDK stack for
 * API Gateway's `corsPreflight` and by the local server, which answers with the same headers.
 * Tokens travel in the Authorization header, never in cookies, so credentials are not allowed.
 */
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'] as const;
/** Response headers a page may read beyond the CORS-safelisted ones. */
export const CORS_EXPOSE_HEADERS = ['retry-after', 'content-disposition', 'idempotent-replayed'] as const;
/** How long a browser may keep a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 3600;

/**
 * The allowed origins from `CORS_ORIGINS`: each `scheme://host[:port]` (http or https), exactly as
 * a browser sends it in `Origin`. Throws naming the variable and the entry for anything else
 * (a path, a wildcard, `null`).
 */
export function parseCorsOrigins(raw: string | undefined, name = 'CORS_ORIGINS'): string[] {
  const out: string[] = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    const origin = url && /^https?:$/.test(url.protocol) && !url.username && !url.password ? url.origin : undefined;
    if (!origin || entry.includes('*') || origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new Error(`${name}: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], http or https, no path or wildcard)`);
    }
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

/** The headers of a preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin, or undefined. */
export function preflightHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> | undefined {
  if (!origin || !origins.includes(origin)) return undefined;
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': CORS_ALLOW_METHODS.join(', '),
    'access-control-allow-headers': CORS_ALLOW_HEADERS.join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    vary: 'Origin',
  };
}

/**
 * The CORS headers of an actual answer: the origin echoed when it is allowed; `Vary: Origin`
 * whenever CORS is on, so a cache never hands one origin's answer to another.
 */
export function corsResponseHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origins.length === 0) return {};
  if (!origin || !origins.includes(origin)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(', '),
    vary: 'Origin',
  };
}
