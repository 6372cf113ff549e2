import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Principal } from '../../shared/ports/identity';
import type { AppDeps } from '../../shared/adapters/compose';
import type { HttpLambda } from './lambdas';
import type { IdempotencyClaim } from '../../shared/ports/idempotency';
import type { Scope } from '../../shared/domain/scopes';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Who may call a route: nobody signed in, the operator, a reseller, or either of them. */
export type Access = 'public' | 'operator' | 'reseller' | 'any';

/** A route no API client may call, whatever its scopes (managing API clients, the password). */
export const PEOPLE_ONLY = 'people-only' as const;

export interface RouteContext<P, Q, B> {
  deps: AppDeps;
  actor: Principal;
  params: P;
  query: Q;
  body: B;
  event: APIGatewayProxyEventV2;
  /** The request's Idempotency-Key, claimed (on routes marked `idempotent`, when the header is sent). */
  idempotency?: IdempotencyClaim;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One entry of the route table. The same schemas validate requests and generate /openapi.json,
 * and the tenancy test walks this table, so a new route is documented and tested by being added.
 */
export interface Route<P = any, Q = any, B = any, R = any> {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  tag: string;
  /**
   * What an API client's token must hold to call the route (every one of them), from the one
   * catalogue (shared/domain/scopes.ts); PEOPLE_ONLY when no client may. Every reseller and `any`
   * route declares it (test/unit/route-table.test.ts); a person's token holds every scope, and
   * operator routes are never reachable by a client token (its role is reseller).
   */
  scopes?: readonly Scope[] | typeof PEOPLE_ONLY;
  /**
   * The handler reads the raw body itself (the OAuth token endpoint: form-encoded): the router
   * neither parses it as JSON nor insists on application/json.
   */
  rawBody?: true;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * A valid request body (as sent: defaults may be left out): shown in /openapi.json, where redocly
   * lint checks it against the schema, and used by the tenancy test to reach the use case.
   */
  example?: unknown;
  /**
   * The Lambda function that serves the route on AWS when it is not the one of its tag (see
   * functions/http/lambdas.ts): e.g. 'identity' for the routes that talk to Cognito.
   */
  lambda?: HttpLambda;
  /** The status of a success; the handler may still return a Reply to choose another. */
  status: number;
  /**
   * The body of a success (functions/http/responses.ts), or null when there is none (204). Required:
   * a route cannot go undocumented, and what `handle` returns must be of this type.
   */
  response: z.ZodType<R> | null;
  /**
   * A POST that creates or charges: takes an `Idempotency-Key` header (docs/api.md), so a repeat
   * with the same key and body answers the first response without doing the work again.
   */
  idempotent?: true;
  /** Also answers text/csv (the same table) when the request says `Accept: text/csv`. */
  csv?: true;
  /**
   * Error statuses the route answers beyond the ones every route of its kind documents
   * (functions/http/openapi.ts errorStatuses), e.g. 402 where a change is a purchase.
   */
  errors?: readonly number[];
  /** Other success statuses the handler answers with `reply(...)`, and their bodies. */
  otherResponses?: Record<number, { description: string; schema: z.ZodType | null }>;
  handle: (ctx: RouteContext<P, Q, B>) => Promise<R | ReplyValue>;
}

export function route<P = undefined, Q = undefined, B = undefined, R = undefined>(r: Route<P, Q, B, R>): Route<P, Q, B, R> {
  return r;
}

export type ReplyValue = Reply & { __reply: true };

export const isReply = (v: unknown): v is Reply & { __reply: true } =>
  typeof v === 'object' && v !== null && (v as { __reply?: unknown }).__reply === true;

/** Lets a handler answer with a status other than the route's default (e.g. 200 vs 201). */
export const reply = (status: number, body?: unknown, headers?: Record<string, string>) => ({
  __reply: true as const,
  status,
  body,
  headers,
});
