import type { Route } from '../route';
import { buildOpenApi } from '../openapi';
import { accountRoutes } from './account';
import { authRoutes } from './auth';
import { operatorRoutes } from './operator';
import { ipPoolRoutes } from './ip-pool';
import { sslRoutes } from './ssl';
import { templateRoutes } from './templates';
import { userRoutes } from './users';
import { billingRoutes } from './billing';
import { settingsRoutes } from './settings';
import { serverRoutes } from './servers';
import { statsRoutes } from './stats';
import { systemRoutes } from './system';
import { runRoutes } from './runs';
import { openApiDocumentView } from '../responses';
import { circularRoutes } from './mail';
import { registrationEmailRoutes } from './registration-email';
import { apiClientRoutes } from './api-clients';
import { webhookRoutes } from './webhooks';

const businessRoutes: Route[] = [...authRoutes, ...operatorRoutes, ...accountRoutes, ...templateRoutes, ...userRoutes, ...sslRoutes, ...ipPoolRoutes, ...billingRoutes, ...serverRoutes, ...statsRoutes, ...settingsRoutes, ...runRoutes, ...circularRoutes, ...registrationEmailRoutes, ...apiClientRoutes, ...webhookRoutes];

const docsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    tag: 'system',
    summary: 'This document',
    lambda: 'docs',
    status: 200,
    response: openApiDocumentView,
    handle: async () => openApiDocument(),
  },
];

/** The route table: the router, the OpenAPI document and the tenancy test all read it. */
export const ROUTES: readonly Route[] = [...systemRoutes, ...docsRoutes, ...businessRoutes];

let cachedDoc: unknown;
function openApiDocument() {
  cachedDoc ??= buildOpenApi(ROUTES, '0.1.0');
  return cachedDoc;
}
