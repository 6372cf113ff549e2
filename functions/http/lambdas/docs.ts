import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SECURITY_HEADERS } from '../security-headers';
import { OPENAPI_FILE } from './docs-file';

/**
 * GET /openapi.json on AWS. The document is rendered from the route table at synth
 * (infra/stacks/function-files.ts) and shipped beside this handler, so the function carries no
 * route code at all; the embedded runtime serves the same route from the route table itself.
 */
let body: string | undefined;

export async function handler(): Promise<APIGatewayProxyStructuredResultV2> {
  body ??= readFileSync(new URL(`./${OPENAPI_FILE}`, import.meta.url), 'utf8');
  return { statusCode: 200, headers: { 'content-type': 'application/json', ...SECURITY_HEADERS }, body };
}
