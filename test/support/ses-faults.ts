import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalSes, type LocalSes } from '../../infra/local/ses-local';

/** What SES answers instead of accepting a SendEmail: an HTTP status and the error type SES names. */
export interface SesFault {
  status: number;
  type: string;
  message: string;
}
export const THROTTLED: SesFault = { status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' };
export const rejected = (message: string): SesFault => ({ status: 400, type: 'MessageRejected', message });

export interface FaultySes {
  /** Point the runtime here (LOCAL_SES_URL / externalSesUrl): SendEmail goes through the switch, the rest (GET /store, the web view) to the local SES. */
  url: string;
  /** The local SES behind it (what it accepted). */
  ses: LocalSes;
  /** Decides per SendEmail (its recipients): a fault, or undefined to pass it on. */
  fault: (to: string[]) => SesFault | undefined;
  /** SendEmail calls seen and refused so far. */
  calls: number;
  refused: number;
  stop(): Promise<void>;
}

/**
 * The local SES with a fault switch in front: the test's own aws-ses-v2-local (its store outlives a
 * runtime the test kills) behind a small proxy that can answer a SendEmail with an SES error, as SES
 * does when throttling or rejecting. The runtime under test talks to it as to SES.
 */
export async function startFaultySes(): Promise<FaultySes> {
  const ses = await startLocalSes(0);
  const target = new URL(ses.url);
  const state: FaultySes = {
    url: '',
    ses,
    fault: () => undefined,
    calls: 0,
    refused: 0,
    stop: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails')) {
        state.calls++;
        let to: string[] = [];
        try {
          to = (JSON.parse(body.toString('utf8')) as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? [];
        } catch {
          /* passed on: the local SES answers */
        }
        const f = state.fault(to);
        if (f) {
          state.refused++;
          res.writeHead(f.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': f.type, 'x-amzn-RequestId': 'fault' });
          res.end(JSON.stringify({ message: f.message }));
          return;
        }
      }
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    await ses.stop();
  };
  return state;
}
