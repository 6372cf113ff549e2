import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { appDeps } from '../deps';
import { toErrorResponse } from './errors';
import { createRouter } from './router';
import { ROUTES } from './routes';

const logger = new Logger({ serviceName: 'reseller-panel-api' });
const dispatch = createRouter(ROUTES);

async function api(event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  return dispatch(event, await appDeps());
}

/** Maps errors at the edge: domain errors to their 4xx, anything else to an opaque 500 that is logged. */
const errorMapper = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const requestId = request.event.requestContext?.requestId;
    const { status, body } = toErrorResponse(request.error, requestId);
    if (status >= 500) {
      logger.error('request failed', { requestId, path: request.event.rawPath, error: request.error as Error });
    }
    request.response = {
      statusCode: status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify(body),
    };
  },
});

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(api).use(errorMapper());
