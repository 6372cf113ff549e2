import { serveGroup } from '../lambda-handler';
import { ROUTES } from '../routes';

/** GET /openapi.json in the embedded runtime: built from the route table (on AWS, docs.ts serves it rendered at synth). */
export const { handler, routes } = serveGroup('docs', [ROUTES]);
