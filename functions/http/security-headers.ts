/**
 * Headers on every API response (a JSON API: nothing in it is to be rendered, framed or sniffed).
 * The local server adds the same to the answers it makes itself (401, 413, /__dev).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};
