import { serveGroup } from '../lambda-handler';
import { ROUTES } from '../routes';

/** GET /openapi.json: it reads the whole route table, and composes no AWS client. */
export const { handler, routes } = serveGroup('docs', [ROUTES]);
