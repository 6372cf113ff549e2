/**
 * The webhook sender: one HTTP POST per attempt, to an address checked after DNS resolution.
 * The connection goes to exactly the address that was checked (a custom `lookup`), so a DNS answer
 * that changes between the check and the connect (rebinding) cannot reach a private address.
 * Redirects are not followed (a 3xx is a failed attempt, as the spec advises).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressesProblem, urlProblem, type TargetPolicy } from '../domain/webhooks';

export interface AttemptResult {
  statusCode?: number;
  error?: string;
  retryAfterSeconds?: number;
  durationMs: number;
}

export interface WebhookSender {
  /** The problem with a target (URL rules, then every address it resolves to), or undefined. */
  check(url: string): Promise<string | undefined>;
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptResult>;
}

type Resolve = (host: string) => Promise<string[]>;
const systemResolve: Resolve = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly policy: TargetPolicy,
    private readonly resolve: Resolve = systemResolve,
  ) {}

  private async addresses(host: string): Promise<string[]> {
    return isIP(host) ? [host] : this.resolve(host);
  }

  async check(url: string): Promise<string | undefined> {
    const problem = urlProblem(url, this.policy);
    if (problem) return problem;
    const u = new URL(url);
    let addresses: string[];
    try {
      addresses = await this.addresses(bareHost(u.hostname));
    } catch (e) {
      return `does not resolve (${(e as NodeJS.ErrnoException).code ?? 'DNS error'})`;
    }
    return addressesProblem(addresses, u.protocol, this.policy);
  }

  async post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    const problem = urlProblem(url, this.policy);
    if (problem) return { error: `refused: the URL ${problem}`, durationMs: took() };
    const u = new URL(url);
    let addresses: string[];
    try {
      addresses = await this.addresses(bareHost(u.hostname));
    } catch (e) {
      return { error: `DNS: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, durationMs: took() };
    }
    const refused = addressesProblem(addresses, u.protocol, this.policy);
    if (refused) return { error: `refused: the host ${refused}`, durationMs: took() };
    const address = addresses[0]!;
    // Connect to the address just checked, whatever DNS would answer now.
    const lookup: LookupFunction = (_host, opts, cb) => {
      const family = isIP(address);
      if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else cb(null, address, family);
    };
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'reseller-panel-webhooks/1' },
      lookup,
      timeout: timeoutMs,
    };
    return new Promise<AttemptResult>((resolve) => {
      let done = false;
      const finish = (r: Omit<AttemptResult, 'durationMs'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...r, durationMs: took() });
      };
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, options, (res) => {
        const retryAfter = Number(res.headers['retry-after']);
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // The body is not kept; a receiver that streams on is cut off.
          if (read > 64 * 1024) res.destroy();
        });
        const end = () => finish({ statusCode: res.statusCode, ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}) });
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      // The whole attempt (connect, send, answer) within the timeout.
      const timer = setTimeout(() => {
        req.destroy();
        finish({ error: `timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ? `${e.code}: ${e.message}` : e.message }));
      req.end(body);
    });
  }
}

/** WEBHOOK_ALLOW_LOOPBACK=true (set by the embedded runtime only): http:// to loopback addresses is allowed. */
export function targetPolicyFromEnv(env: Record<string, string | undefined>): TargetPolicy {
  const allow = env.WEBHOOK_ALLOW_LOOPBACK === 'true';
  // Refused on AWS, as PASSWORD_HASH_COST_LOG2 is: only the embedded runtime (local identity and DynamoDB Local) may set it.
  if (allow && (env.IDENTITY_MODE !== 'local' || !env.DYNAMODB_ENDPOINT)) throw new Error('WEBHOOK_ALLOW_LOOPBACK is for the embedded runtime only; unset it');
  return { allowLoopback: allow };
}

/** The sender for the functions that check or deliver webhooks (kept out of every other bundle). */
export const webhookSenderFromEnv = (env: Record<string, string | undefined>): WebhookSender => new HttpWebhookSender(targetPolicyFromEnv(env));
