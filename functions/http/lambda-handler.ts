import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AppDeps } from '../../shared/adapters/compose';
import { toErrorResponse } from './errors';
import type { Route } from './route';
import { appDeps } from '../deps';
import type { ComposeParts } from '../../shared/adapters/compose';
import { lambdaOf, type HttpLambda } from './lambdas';
import { createRouter } from './router';
import { SECURITY_HEADERS } from './security-headers';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * A Lambda handler for a part of the route table: middy with the error mapper at the edge
 * (domain errors to their 4xx, anything else to an opaque 500 that is logged with its request id).
 */
export function lambdaHandler(routes: readonly Route[], deps: () => Promise<AppDeps>, serviceName: string): HttpHandler {
  const logger = new Logger({ serviceName });
  const dispatch = createRouter(routes);
  const errorMapper: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = {
    onError: async (request) => {
      const requestId = request.event.requestContext?.requestId;
      const { status, body, headers } = toErrorResponse(request.error, requestId);
      if (status >= 500) logger.error('request failed', { requestId, path: request.event.rawPath, error: request.error as Error });
      request.response = {
        statusCode: status,
        headers: { ...SECURITY_HEADERS, ...(headers ?? {}) },
        body: JSON.stringify(body),
      };
    },
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(async (event: APIGatewayProxyEventV2) =>
    dispatch(event, await deps()),
  ).use(errorMapper);
}

/**
 * The handler of one route group (functions/http/lambdas.ts): the routes of `modules` that belong to
 * `name`, with the deps composed from the heavy parts the entry passes (and nothing else).
 */
export function serveGroup(
  name: HttpLambda,
  modules: readonly (readonly Route[])[],
  parts: Omit<ComposeParts, 'clock' | 'provisioner'> = {},
): { handler: HttpHandler; routes: readonly Route[] } {
  const routes = modules.flat().filter((r) => lambdaOf(r) === name);
  return { routes, handler: lambdaHandler(routes, () => appDeps(parts), `reseller-panel-${name}`) };
}
