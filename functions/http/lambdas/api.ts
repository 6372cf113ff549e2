import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { accountRoutes } from '../routes/account';
import { serverRoutes } from '../routes/servers';
import { settingsRoutes } from '../routes/settings';
import { statsRoutes } from '../routes/stats';
import { systemRoutes } from '../routes/system';
import { templateRoutes } from '../routes/templates';
import { runRoutes } from '../routes/runs';
import { circularRoutes } from '../routes/mail';

/** The default function: account, templates, settings (the index page sits in servers.ts), stats, health, unknown routes. */
export const { handler, routes } = serveGroup('api', [systemRoutes, accountRoutes, templateRoutes, settingsRoutes, serverRoutes, statsRoutes, runRoutes, circularRoutes], { queue: sqsQueue });
