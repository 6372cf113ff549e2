/**
 * KMS envelope encryption over the signed JSON 1.1 client: the calls go to a local HTTP server
 * standing in for KMS, which checks each request's SigV4 signature (service `kms`) with the AWS
 * SDK's own signer and binds every data key to the encryption context it was made for.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../../support/sha256';
import { KmsCipher } from '../../../shared/adapters/kms/kms-cipher';
import { SsmJsonClient } from '../../../shared/adapters/ssm/ssm-json-client';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const DATE = new Date('2026-12-02T07:40:00Z');
const KEY_ID = 'arn:aws:kms:eu-central-1:1:key/k';


const seen: { target: string; authorizationOk: boolean; body: Record<string, unknown> }[] = [];
/** The stand-in's "wrapped" data keys: blob id → the key and the context it was generated for. */
const wrapped = new Map<string, { key: Buffer; context: string }>();
let endpoint = '';
const server = createServer(async (req: IncomingMessage, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const signer = new SignatureV4({ service: 'kms', region: 'eu-central-1', credentials: CREDS, sha256: Sha256 as never, applyChecksum: false });
  const headers: Record<string, string> = {};
  for (const n of ['content-type', 'host', 'x-amz-date', 'x-amz-target', 'x-amz-security-token']) headers[n] = String(req.headers[n]);
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: String(req.headers.host).split(':')[0]!, port: 0, path: '/', headers, body: raw } as never,
    { signingDate: DATE },
  );
  const body = JSON.parse(raw) as Record<string, unknown>;
  const target = String(req.headers['x-amz-target']);
  seen.push({ target, body, authorizationOk: (signed as unknown as { headers: Record<string, string> }).headers.authorization === req.headers.authorization });
  const reply = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
  // KMS compares encryption contexts as maps: the order of the pairs does not matter.
  const context = JSON.stringify(Object.entries((body.EncryptionContext ?? {}) as Record<string, string>).sort());
  if (target === 'TrentService.GenerateDataKey') {
    const key = randomBytes(32);
    const blob = randomBytes(24).toString('base64');
    wrapped.set(blob, { key, context });
    return reply(200, { KeyId: body.KeyId, Plaintext: key.toString('base64'), CiphertextBlob: blob });
  }
  if (target === 'TrentService.Decrypt') {
    const w = wrapped.get(String(body.CiphertextBlob));
    if (!w || w.context !== context) return reply(400, { __type: 'InvalidCiphertextException', message: 'wrong context' });
    return reply(200, { KeyId: KEY_ID, Plaintext: w.key.toString('base64') });
  }
  reply(400, { __type: 'UnknownOperationException' });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cipher = () =>
  new KmsCipher(new SsmJsonClient({ service: 'kms', targetPrefix: 'TrentService', region: 'eu-central-1', credentials: () => CREDS, endpoint, now: () => DATE }), KEY_ID);

describe('KmsCipher (KMS over a signed JSON call)', () => {
  it('seals with a fresh data key and opens it again, each call signed as the SDK signs for kms', async () => {
    seen.length = 0;
    const secret = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    const sealed = await cipher().encrypt(secret, { user: 'web12', reseller: 'r1' });
    expect(sealed.split('.')[0]).toBe('kms1');
    expect(sealed).not.toContain(secret.toString('base64'));
    expect((await cipher().decrypt(sealed, { reseller: 'r1', user: 'web12' })).equals(secret)).toBe(true);
    expect(seen.map((s) => s.target)).toEqual(['TrentService.GenerateDataKey', 'TrentService.Decrypt']);
    expect(seen.every((s) => s.authorizationOk)).toBe(true);
    expect(seen[0]!.body).toEqual({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: { user: 'web12', reseller: 'r1' } });
  });

  it('does not open a ciphertext under another context (KMS refuses, and so would GCM)', async () => {
    const sealed = await cipher().encrypt(Buffer.from('secret'), { user: 'web12' });
    await expect(cipher().decrypt(sealed, { user: 'web13' })).rejects.toThrow(/wrong context/);
  });

  it('refuses a ciphertext that is not its format without calling KMS', async () => {
    seen.length = 0;
    await expect(cipher().decrypt('local1.x.y', { user: 'web12' })).rejects.toThrow(/kms1/);
    expect(seen).toHaveLength(0);
  });
});
