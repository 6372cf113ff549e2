import * as z from 'zod';
import { route } from '../route';

export const systemRoutes = [
  route({
    method: 'GET',
    path: '/health',
    access: 'public',
    tag: 'system',
    summary: 'Liveness: 200 once the API can serve',
    status: 200,
    response: z.object({ status: z.literal('ok') }),
    handle: async () => ({ status: 'ok' as const }),
  }),
];
