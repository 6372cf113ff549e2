import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesServer from 'aws-ses-v2-local';

export interface LocalSes {
  url: string;
  stop(): Promise<void>;
}

/** aws-ses-v2-local: keeps every message sent (in memory), with a web view and GET /store. */
export async function startLocalSes(port: number): Promise<LocalSes> {
  const start = (sesServer as unknown as { default?: typeof sesServer }).default ?? sesServer;
  const server: Server = await start({ host: '127.0.0.1', port });
  return {
    // Port 0 asks for a free port: the URL names the one bound.
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}
