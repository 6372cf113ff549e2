import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { ipPoolRoutes } from '../routes/ip-pool';
import { operatorRoutes } from '../routes/operator';
import { serverRoutes } from '../routes/servers';

/** The operator's resellers (except creating and locking logins), IP pools and hosting servers. */
export const { handler, routes } = serveGroup('operator', [operatorRoutes, ipPoolRoutes, serverRoutes], { queue: sqsQueue });
