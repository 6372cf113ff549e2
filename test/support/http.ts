/**
 * The one HTTP helper of the tests: JSON in and out against a runtime's base URL. `api()` (the
 * shared runtime) and `startOwnRuntime().call()` both go through it.
 */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  /** Sent as JSON with content-type application/json. */
  body?: unknown;
  /** Sent as it is (set the content type in `headers` yourself). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function request<T = any>(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  // Headers are there to read, but not enumerable: tests compare { status, body } as a whole.
  const out = { status: res.status, body: parsed as T } as ApiResponse<T>;
  Object.defineProperty(out, 'headers', { value: res.headers, enumerable: false });
  return out;
}
