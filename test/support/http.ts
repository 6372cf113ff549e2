import { DEV_OPENAPI } from '../../infra/local/dev-openapi';
import { createContract, type Contract, type OpenApiDocument } from './contract';

/**
 * The one HTTP helper of the tests: JSON in and out against a runtime's base URL. `api()` (the
 * shared runtime) and `startOwnRuntime().call()` both go through it.
 *
 * Every answer is checked against the OpenAPI document that runtime serves (GET /openapi.json,
 * plus the embedded runtime's /__dev document): an answer whose status is not documented for its
 * operation, or whose body does not match the documented schema, throws a ContractViolation, so
 * the test that received it fails (test/support/contract.ts).
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
  /** Sent as it is (set the content type in `headers` yourself; a Blob without a type sends none). */
  rawBody?: string | Blob;
  headers?: Record<string, string>;
}

const contracts = new Map<string, Promise<Contract>>();

/** The contract of the runtime at `baseUrl`: its own /openapi.json, read once. */
export function contractOf(baseUrl: string): Promise<Contract> {
  let c = contracts.get(baseUrl);
  if (!c) {
    c = (async () => {
      const res = await fetch(`${baseUrl}/openapi.json`);
      if (res.status !== 200) throw new Error(`GET ${baseUrl}/openapi.json answered ${res.status}`);
      return createContract([(await res.json()) as OpenApiDocument, DEV_OPENAPI as unknown as OpenApiDocument]);
    })();
    contracts.set(baseUrl, c);
    c.catch(() => contracts.delete(baseUrl));
  }
  return c;
}

export async function request<T = any>(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Blob | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  (await contractOf(baseUrl)).check({ method, url: path, status: res.status, contentType: res.headers.get('content-type'), text });
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
