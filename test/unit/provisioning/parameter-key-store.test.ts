/**
 * Private keys in SSM Parameter Store (AWS only): the key store's calls go to a local HTTP server
 * standing in for SSM, which checks each request's SigV4 signature with the AWS SDK's own signer.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../../support/sha256';
import { ParameterKeyStore } from '../../../shared/adapters/ssm/parameter-key-store';
import { SsmJsonClient } from '../../../shared/adapters/ssm/ssm-json-client';
import { keyDigest, normalizeKeyPem, sslKeyRef } from '../../../shared/domain/provisioning/key-names';

const KEY = '-----BEGIN PRIVATE KEY-----\r\nMIIB\r\n-----END PRIVATE KEY-----\r\n\r\n';
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const DATE = new Date('2026-12-02T07:40:00Z');


interface Seen { target: string; body: Record<string, unknown>; authorizationOk: boolean }
const seen: Seen[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let endpoint = '';
const server = createServer(async (req: IncomingMessage, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const signer = new SignatureV4({ service: 'ssm', region: 'eu-central-1', credentials: CREDS, sha256: Sha256 as never, applyChecksum: false });
  const headers: Record<string, string> = {};
  for (const n of ['content-type', 'host', 'x-amz-date', 'x-amz-target', 'x-amz-security-token']) headers[n] = String(req.headers[n]);
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: String(req.headers.host).split(':')[0]!, port: 0, path: '/', headers, body: raw } as never,
    { signingDate: DATE },
  );
  seen.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(raw), authorizationOk: (signed as unknown as { headers: Record<string, string> }).headers.authorization === req.headers.authorization });
  res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.body));
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const store = () =>
  new ParameterKeyStore(new SsmJsonClient({ region: 'eu-central-1', credentials: () => CREDS, endpoint, now: () => DATE }), '/Stack/ssl', 'arn:aws:kms:eu-central-1:1:key/k');

describe('ParameterKeyStore (SSM Parameter Store over a signed JSON call)', () => {
  it('puts the normalized key as a KMS-encrypted SecureString under its reference, overwriting, signed as the SDK signs', async () => {
    seen.length = 0;
    answer = { status: 200, body: { Version: 1, Tier: 'Standard' } };
    const s = store();
    const ref = sslKeyRef(s.path, 'web12', keyDigest(KEY));
    expect(ref).toMatch(/^\/Stack\/ssl\/web12\/[0-9a-f]{16}$/);
    await s.put(ref, KEY);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.target).toBe('AmazonSSM.PutParameter');
    expect(seen[0]!.authorizationOk).toBe(true);
    expect(seen[0]!.body).toMatchObject({ Name: ref, Type: 'SecureString', KeyId: 'arn:aws:kms:eu-central-1:1:key/k', Overwrite: true });
    expect(seen[0]!.body.Value).toBe('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    expect(seen[0]!.body.Value).toBe(normalizeKeyPem(KEY));
  });

  it('deletes a reference; a missing one is fine, other errors surface with their type', async () => {
    seen.length = 0;
    answer = { status: 400, body: { __type: 'com.amazonaws.ssm#ParameterNotFound', message: 'gone' } };
    await expect(store().remove('/Stack/ssl/web12/abc')).resolves.toBeUndefined();
    answer = { status: 400, body: { __type: 'AccessDeniedException', message: 'denied' } };
    await expect(store().remove('/Stack/ssl/web12/abc')).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'denied' });
    await expect(store().put('/Stack/ssl/web12/abc', KEY)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(seen.map((s) => [s.target, s.body.Name, s.authorizationOk])).toEqual([
      ['AmazonSSM.DeleteParameter', '/Stack/ssl/web12/abc', true],
      ['AmazonSSM.DeleteParameter', '/Stack/ssl/web12/abc', true],
      ['AmazonSSM.PutParameter', '/Stack/ssl/web12/abc', true],
    ]);
  });
});
