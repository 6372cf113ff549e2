import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { principalFromClaims } from '../../shared/adapters/claims';
import type { AppDeps } from '../../shared/adapters/compose';
import type { Principal } from '../../shared/ports/identity';
import { fieldsFromZod, HttpError, toErrorResponse } from './errors';
import { createHash } from 'node:crypto';
import { canonicalJson, type StoredResponse } from '../../shared/domain/idempotency';
import { runIdempotent } from '../../shared/app/idempotency';
import type { IdempotencyClaim } from '../../shared/ports/idempotency';
import { isReply, PEOPLE_ONLY, type Route } from './route';
import { ForbiddenError, InsufficientScopeError } from '../../shared/domain/errors';
import { SECURITY_HEADERS } from './security-headers';
import { checkJsonContentType } from './content-type';
import { assertAccountOpen } from '../../shared/app/auth/account-gate';

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

const MAX_BODY_BYTES = 256 * 1024;

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, prefix: string, message: string): T {
  if (!schema) return undefined as T;
  const out = schema.safeParse(value);
  if (!out.success) throw new HttpError(400, 'VALIDATION', message, fieldsFromZod(out.error, prefix));
  return out.data;
}

function readBody(event: APIGatewayProxyEventV2): unknown {
  checkJsonContentType(event.headers, !!event.body);
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, 'TOO_LARGE', 'request body is too large');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'VALIDATION', 'request body is not valid JSON', { body: 'is not valid JSON' });
  }
}

/** The caller from the claims the authorizer verified (API Gateway on AWS, the local server here). */
function principalOf(event: APIGatewayProxyEventV2): Principal | undefined {
  // The local server and a JWT authorizer pass `jwt.claims`; the Lambda authorizer of the stack
  // (functions/http/authorizer.ts) passes the verified claims as its context, `lambda`.
  const ctx = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> }; lambda?: Record<string, unknown> } };
  const claims = ctx.authorizer?.jwt?.claims ?? ctx.authorizer?.lambda;
  return claims && Object.keys(claims).length > 0 ? principalFromClaims(claims) : undefined;
}

/**
 * An API client's token reaches a route only with every scope the route names; a route that names
 * none (or PEOPLE_ONLY) is closed to clients. A person's token (no `clientId`) holds them all.
 */
export function checkScopes(route: Route, actor: Principal): void {
  if (!actor.clientId) return;
  if (route.scopes === undefined || route.scopes === PEOPLE_ONLY) {
    throw new ForbiddenError('this route is for the reseller signed in, not for API clients');
  }
  const missing = route.scopes.find((s) => !(actor.scopes ?? []).includes(s));
  if (missing) throw new InsufficientScopeError(missing);
}

export function createRouter(routes: readonly Route[]) {
  const compiled = routes.map(compile);

  function match(method: string, path: string) {
    let pathMatched = false;
    for (const c of compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1] ?? '');
        } catch {
          throw new HttpError(400, 'VALIDATION', `path parameter ${n} is malformed`, { [n]: 'is malformed' });
        }
      });
      return { route: c.route, params };
    }
    if (pathMatched) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here`);
    throw new HttpError(404, 'NOT_FOUND', 'no such route');
  }

  return async function dispatch(
    event: APIGatewayProxyEventV2,
    deps: AppDeps,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const method = event.requestContext.http.method.toUpperCase();
    const { route, params } = match(method, event.rawPath);

    let actor = principalOf(event);
    if (route.access !== 'public') {
      if (!actor) throw new HttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required');
      if (route.access !== 'any' && actor.role !== route.access) {
        throw new HttpError(403, 'FORBIDDEN', `this route is for the ${route.access} role`);
      }
      // A locked reseller is refused whatever token it still holds (one consistent read); a revoked
      // API client too (one more), and a client's reseller is settled from its record.
      actor = await assertAccountOpen(deps, actor);
      checkScopes(route, actor);
    }

    const parsedParams = parseWith(route.params, params, '', 'invalid path parameter');
    const parsedQuery = parseWith(route.query, event.queryStringParameters ?? {}, '', 'invalid query parameter');
    const rawBody = route.rawBody ? undefined : readBody(event);
    if (!route.body && rawBody !== undefined && method !== 'GET' && method !== 'DELETE') {
      if (typeof rawBody !== 'object' || rawBody === null || Object.keys(rawBody).length > 0) {
        throw new HttpError(400, 'VALIDATION', 'this route takes no body', { body: 'must be empty' });
      }
    }
    if (route.body && rawBody === undefined) {
      throw new HttpError(400, 'VALIDATION', 'a JSON body is required', { body: 'is required' });
    }
    const body = parseWith(route.body, rawBody, '', 'invalid request body');

    // Keys are per tenant, so only signed-in routes take them (every route marked idempotent is).
    const key = route.idempotent && actor ? event.headers?.['idempotency-key'] : undefined;
    const run = async (claim?: IdempotencyClaim): Promise<StoredResponse & { headers?: Record<string, string> }> => {
      const result = await route.handle({
        deps,
        actor: actor as Principal,
        params: parsedParams,
        query: parsedQuery,
        body,
        event,
        ...(claim ? { idempotency: claim } : {}),
      });
      const out = isReply(result) ? result : { status: route.status, body: result, headers: undefined };
      return {
        status: out.status,
        ...(out.headers ? { headers: out.headers } : {}),
        // A text body a handler chose a text/* content type for (CSV) goes as it is; everything else is JSON.
        body: out.body === undefined ? '' : typeof out.body === 'string' && /^text\//.test(out.headers?.['content-type'] ?? '') ? out.body : JSON.stringify(out.body),
      };
    };

    let out: StoredResponse & { replayed?: boolean };
    if (key === undefined) {
      out = await run();
    } else {
      // The request as the client sent it: route, parameters, query and body (fields in any order).
      const fingerprint = createHash('sha256')
        .update(canonicalJson([method, route.path, params, event.queryStringParameters ?? {}, rawBody ?? null]))
        .digest('base64url');
      out = await runIdempotent(deps, actor as Principal, key, fingerprint, async (claim) => {
        try {
          return await run(claim);
        } catch (e) {
          // A 4xx is an answer and is kept for repeats (as Stripe does); a 5xx is thrown on (not kept).
          const mapped = toErrorResponse(e);
          if (mapped.status >= 500) throw e;
          return { status: mapped.status, body: JSON.stringify(mapped.body), ...(mapped.headers ? { headers: mapped.headers } : {}) };
        }
      });
    }
    return {
      statusCode: out.status,
      headers: { ...SECURITY_HEADERS, ...(out.headers ?? {}), ...(out.replayed ? { 'idempotent-replayed': 'true' } : {}) },
      body: out.body,
    };
  };
}
