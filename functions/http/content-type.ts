import { HttpError } from './errors';

/**
 * Request bodies are JSON: a body with any other media type is refused (415, naming the header)
 * rather than parsed whatever it claims to be. `application/json` may carry `charset=utf-8`
 * (any case); another charset is refused. A request without a body needs no content type.
 */
export function checkJsonContentType(headers: Record<string, string | undefined> | undefined, hasBody: boolean): void {
  if (!hasBody) return;
  const raw = headers?.['content-type'] ?? headers?.['Content-Type'];
  if (!raw) throw unsupported('is required with a body: application/json');
  const [type, ...params] = raw.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') throw unsupported(`must be application/json (is ${raw.slice(0, 100)})`);
  for (const p of params) {
    const [name, value] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') throw unsupported(`charset must be utf-8 (is ${value})`);
  }
}

const unsupported = (reason: string) =>
  new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `content-type ${reason}`, { 'content-type': reason });
