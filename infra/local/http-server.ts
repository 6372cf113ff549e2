import type { ErrorCode } from '../../shared/domain/errors';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { SECURITY_HEADERS } from '../../functions/http/security-headers';
import { checkJsonContentType } from '../../functions/http/content-type';
import { toErrorResponse } from '../../functions/http/errors';
import { corsResponseHeaders, preflightHeaders } from '../../functions/http/cors';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalAuthorizer {
  /** Is this method and path reachable without a token (as the routes API Gateway leaves open)? */
  isPublic(method: string, path: string): boolean;
  /** Verified claims for a bearer token, or undefined. */
  verify(token: string): Promise<Record<string, unknown> | undefined>;
}

const MAX_BODY = 1024 * 1024;

/** API Gateway passes every claim as a string; arrays look like "[a b]". Reproduced so handlers see the same. */
function gatewayClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
  );
}

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local-api',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

const errorBody = (code: ErrorCode, message: string) => JSON.stringify({ error: { code, message } });

/**
 * The local stand-in for API Gateway's HTTP API: turns each request into the v2 event the Lambda
 * receives, runs the JWT authorizer on protected routes, and calls the very same handler.
 */
export type DevHandler = (req: {
  method: string;
  path: string;
  body: unknown;
  claims: Record<string, unknown> | undefined;
}) => Promise<{ status: number; body: unknown }>;

/** Static files (the console) for a method and path that is no API route, or undefined. */
export type StaticHandler = (method: string, path: string) => { status: number; headers: Record<string, string>; body: Buffer } | undefined;

export interface LocalServerOptions {
  /**
   * The origins whose pages may call the API (CORS_ORIGINS), answered as API Gateway's
   * corsPreflight answers them: a preflight from one of them gets 204 and the CORS headers without
   * a token; every answer to them carries Access-Control-Allow-Origin; other origins get none.
   */
  corsOrigins?: readonly string[];
}

export function createLocalHttpServer(
  handler: LambdaHttpHandler,
  authorizer: LocalAuthorizer,
  dev?: DevHandler,
  files?: StaticHandler,
  options: LocalServerOptions = {},
): Server {
  const corsOrigins = options.corsOrigins ?? [];
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const preflight = preflightHeaders(corsOrigins, origin);
      if (preflight) {
        req.resume();
        res.writeHead(204, { ...preflight, 'content-length': '0' });
        return res.end();
      }
    }
    const cors = corsResponseHeaders(corsOrigins, origin);
    const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => sendRaw(res, status, body, { ...headers, ...cors });
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) return send(res, 413, errorBody('TOO_LARGE', 'request body is too large'));
        chunks.push(chunk as Buffer);
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;

      const file = files?.(method, url.pathname);
      if (file) {
        res.writeHead(file.status, file.headers);
        return res.end(method === 'HEAD' ? undefined : file.body);
      }
      let claims: Record<string, unknown> | undefined;
      if (dev && url.pathname.startsWith('/__dev/')) {
        const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
        const devClaims = m ? await authorizer.verify(m[1] as string) : undefined;
        if (!devClaims) return send(res, 401, errorBody('UNAUTHORIZED', 'a valid bearer token is required'));
        let parsed: unknown;
        try {
          checkJsonContentType(headers, size > 0);
        } catch (e) {
          const out = toErrorResponse(e);
          return send(res, out.status, JSON.stringify(out.body));
        }
        try {
          parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        } catch {
          return send(res, 400, errorBody('VALIDATION', 'request body is not valid JSON'));
        }
        const out = await dev({ method, path: url.pathname, body: parsed, claims: devClaims });
        return send(res, out.status, JSON.stringify(out.body));
      }
      if (!authorizer.isPublic(method, url.pathname)) {
        const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
        claims = m ? await authorizer.verify(m[1] as string) : undefined;
        if (!claims) return send(res, 401, errorBody('UNAUTHORIZED', 'a valid bearer token is required'));
      }
      const body = Buffer.concat(chunks);
      const now = new Date();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: '$default',
          stage: '$default',
          time: now.toISOString(),
          timeEpoch: now.getTime(),
          ...(claims ? { authorizer: { jwt: { claims: gatewayClaims(claims), scopes: null } } } : {}),
        } as APIGatewayProxyEventV2['requestContext'],
        body: body.length ? body.toString('utf8') : undefined,
        isBase64Encoded: false,
      };
      const out = await handler(event, lambdaContext(requestId));
      send(res, out.statusCode ?? 200, typeof out.body === 'string' ? out.body : '', (out.headers ?? {}) as Record<string, string>);
    } catch (err) {
      console.error('local server: handler failed', err);
      if (!res.headersSent) send(res, 500, errorBody('INTERNAL', 'internal error'));
    }
  });
}
