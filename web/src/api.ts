/**
 * The console's only way out: the public HTTP API. The token lives in this module's memory only
 * (never localStorage), so a reload or a closed tab signs out.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field errors keyed by path (`limits.storageMb`), as the API's error body names them. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Claims {
  sub?: string;
  username?: string;
  'cognito:username'?: string;
  'cognito:groups'?: string[] | string;
  'custom:resellerId'?: string;
  exp?: number;
}

let baseUrl = '';
let token: string | null = null;
let expiredListener: () => void = () => undefined;

/** Where the API is: config.json written at deploy (`{"apiUrl": "https://…"}`), or this origin. */
export async function loadConfig(): Promise<void> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (res.ok) {
      const cfg = (await res.json()) as { apiUrl?: string };
      if (typeof cfg.apiUrl === 'string') baseUrl = cfg.apiUrl.replace(/\/$/, '');
    }
  } catch {
    // same origin
  }
}

export const setToken = (t: string | null) => {
  token = t;
};
export const hasToken = () => token !== null;
export const onExpired = (fn: () => void) => {
  expiredListener = fn;
};

/** The token's claims (read, not verified: the API verifies every call). */
export function claimsOf(t: string): Claims {
  const part = t.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(decodeURIComponent(escape(json))) as Claims;
}

async function send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const hadToken = token !== null;
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network');
  }
  if (res.ok) return res;
  let parsed: { error?: { code?: string; message?: string; fields?: Record<string, string> } } = {};
  try {
    parsed = (await res.json()) as typeof parsed;
  } catch {
    // not JSON
  }
  if (res.status === 401 && hadToken && path !== '/auth/login') {
    token = null;
    expiredListener();
  }
  const e = parsed.error ?? {};
  throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText, e.fields ?? {});
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);

/** The same table as CSV (the stats routes answer `Accept: text/csv`), saved as a file. */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const res = await send('GET', path, undefined, 'text/csv');
  const blob = new Blob([await res.text()], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Query string of the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
