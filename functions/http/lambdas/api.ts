import { serveGroup } from '../lambda-handler';
import { sqsQueue } from '../../../shared/adapters/sqs/sqs-work-queue';
import { accountRoutes } from '../routes/account';
import { statsRoutes } from '../routes/stats';
import { systemRoutes } from '../routes/system';
import { templateRoutes } from '../routes/templates';
import { runRoutes } from '../routes/runs';
import { circularRoutes } from '../routes/mail';

/** The default function: account, templates, stats, runs, circulars, health, unknown routes. */
export const { handler, routes } = serveGroup('api', [systemRoutes, accountRoutes, templateRoutes, statsRoutes, runRoutes, circularRoutes], { queue: sqsQueue });
