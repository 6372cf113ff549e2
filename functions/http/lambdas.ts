import type { FunctionFiles, FunctionNeed } from '../../infra/functions-manifest';

/**
 * The HTTP API's Lambda functions, one per route group, as data (no route module is imported here,
 * so the infrastructure and the tests read it without bundling any handler).
 *
 * A route is served by the function its `lambda` field names, else by the function of its `tag`,
 * else by the default function `api` (which also answers unknown routes on AWS: ANY /{proxy+}).
 * So a new route with an existing tag lands in that tag's group, and a new tag lands in `api`,
 * without editing the infrastructure. Each function's entry is functions/http/lambdas/<name>.ts
 * and imports only the route modules of its group (test/unit/route-table.test.ts checks that each
 * entry serves exactly its group), so each bundle carries only its group's code and clients.
 */
export const HTTP_LAMBDAS = {
  /** Account, templates, settings, stats, health, circulars and every tag not listed below. */
  api: { tags: [], needs: ['table:read', 'table:write'], sends: ['provisioning-fanout', 'mail-fanout', 'usage-collect'] },
  /** Sign-in, passwords, creating and locking logins, API clients and their tokens: the Cognito client and jose. */
  identity: { tags: ['auth', 'api-clients'], needs: ['table:read', 'table:write', 'cognito:admin', 'cognito:clients'] },
  /** Hosted users and their SSL: KMS (private keys, registration e-mails kept encrypted in the outbox until sent), SSM Parameter Store (certificate keys). */
  users: { tags: ['users'], needs: ['table:read', 'table:write', 'kms:data-key', 'ssm:ssl-keys'], sends: ['mail-send', 'webhook-fanout'] },
  /** Hosted users' SSL certificates: KMS (private keys kept encrypted), Parameter Store (the keys the servers fetch), X.509. */
  ssl: { tags: ['ssl'], needs: ['table:read', 'table:write', 'kms:data-key', 'ssm:ssl-keys'] },
  /** Skins (zip archives: fflate), the index and help pages (HTML policy); an index-page change fans out to the users. */
  settings: { tags: ['settings'], needs: ['table:read', 'table:write'], sends: ['provisioning-fanout'] },
  /** Plans, billing accounts, payments: decimal.js and the billing engine. */
  billing: { tags: ['billing'], needs: ['table:read', 'table:write'], sends: ['webhook-fanout'] },
  /** The operator's resellers, IP pools and hosting servers. */
  operator: { tags: ['operator', 'servers'], needs: ['table:read', 'table:write'], sends: ['provisioning-fanout'] },
  /** Webhook endpoints, deliveries and replays: KMS (the signing secrets are kept encrypted), DNS (targets are checked, SSRF). */
  webhooks: { tags: ['webhooks'], needs: ['table:read', 'table:write', 'kms:data-key'], sends: ['webhook-deliver'] },
  /** GET /openapi.json: the document rendered at synth beside a handler that reads it (no route code, no AWS client). */
  docs: { tags: [], needs: [], files: 'openapi' },
} as const satisfies Record<string, { tags: readonly string[]; needs: readonly FunctionNeed[]; sends?: readonly string[]; files?: FunctionFiles }>;

export type HttpLambda = keyof typeof HTTP_LAMBDAS;
export const DEFAULT_LAMBDA: HttpLambda = 'api';

const BY_TAG = new Map<string, HttpLambda>(
  Object.entries(HTTP_LAMBDAS).flatMap(([name, g]) => g.tags.map((t) => [t, name as HttpLambda] as const)),
);

/** The function that serves a route (see above). */
export function lambdaOf(route: { lambda?: HttpLambda; tag: string }): HttpLambda {
  return route.lambda ?? BY_TAG.get(route.tag) ?? DEFAULT_LAMBDA;
}
