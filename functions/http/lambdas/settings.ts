import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { settingsRoutes } from '../routes/settings';
import { serverRoutes } from '../routes/servers';

/** Skins (and their zip archives), the help page and the index page (in servers.ts; a change fans out to the users through provisioning-fanout). */
export const { handler, routes } = serveGroup('settings', [settingsRoutes, serverRoutes], { queue: sqsQueue });
