/**
 * A minimal SSM client for the two Parameter Store calls the API makes (PutParameter and
 * DeleteParameter): the AWS JSON 1.1 protocol over fetch, signed with Signature Version 4 by hand
 * (node:crypto). Why not @aws-sdk/client-ssm: its protocol schemas for every SSM operation add about
 * 210 KB to a bundle, which would take the users function over the 600 KB budget. Credentials come
 * from the environment, as Lambda gives them to every function (AWS_ACCESS_KEY_ID, ...).
 */
import { createHash, createHmac } from 'node:crypto';

export interface SsmCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SsmJsonClientOptions {
  region: string;
  /** The signing name and host prefix (default `ssm`); `kms` for KMS, whose JSON 1.1 protocol is the same. */
  service?: 'ssm' | 'kms';
  /** The X-Amz-Target prefix (default `AmazonSSM`; KMS: `TrentService`). */
  targetPrefix?: string;
  credentials: () => SsmCredentials;
  /** Default `https://ssm.<region>.amazonaws.com`; tests point it at a local server. */
  endpoint?: string;
  now?: () => Date;
  timeoutMs?: number;
}

/** An error answered by SSM: `name` is its type (e.g. `ParameterNotFound`). */
export class SsmError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The SigV4 headers of a JSON POST to `/` (exported for the test that checks them against the SDK's signer). */
export function signSsmRequest(o: { host: string; region: string; service?: string; target: string; body: string; credentials: SsmCredentials; date: Date }): Record<string, string> {
  const amzDate = o.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: o.host,
    'x-amz-date': amzDate,
    'x-amz-target': o.target,
    ...(o.credentials.sessionToken ? { 'x-amz-security-token': o.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', signedHeaders, sha256(o.body)].join('\n');
  const service = o.service ?? 'ssm';
  const scope = `${day}/${o.region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${o.credentials.secretAccessKey}`, day), o.region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${o.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

export class SsmJsonClient {
  constructor(private readonly o: SsmJsonClientOptions) {}

  /** Calls `AmazonSSM.<operation>` with `input`; resolves with the JSON answer, rejects with SsmError. */
  async call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const service = this.o.service ?? 'ssm';
    const url = new URL(this.o.endpoint ?? `https://${service}.${this.o.region}.amazonaws.com`);
    const body = JSON.stringify(input);
    const headers = signSsmRequest({
      host: url.host,
      region: this.o.region,
      service,
      target: `${this.o.targetPrefix ?? 'AmazonSSM'}.${operation}`,
      body,
      credentials: this.o.credentials(),
      date: (this.o.now ?? (() => new Date()))(),
    });
    const { host: _host, ...sent } = headers;
    const res = await fetch(new URL('/', url), { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000) });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) {
      const type = String(json.__type ?? res.headers.get('x-amzn-errortype') ?? `HTTP${res.status}`).split('#').pop()!.split(':')[0]!;
      throw new SsmError(type, String(json.message ?? json.Message ?? `${service.toUpperCase()} ${operation} failed (${res.status})`), res.status);
    }
    return json;
  }
}

/** Lambda's credentials and region from the environment. */
export function ssmJsonClientFromEnv(env: Record<string, string | undefined>, service: Pick<SsmJsonClientOptions, 'service' | 'targetPrefix'> = {}): SsmJsonClient {
  return new SsmJsonClient({
    ...service,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: () => {
      if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error('no AWS credentials in the environment');
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    },
  });
}
