import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeX509 } from '../../../shared/adapters/crypto/node-x509';
import { LocalCipher } from '../../../shared/adapters/local/local-cipher';

describe('NodeX509', () => {
  it('builds a self-signed certificate that parses and matches its key', async () => {
    const x = new NodeX509();
    const made = await x.selfSigned({ country: 'DE', organization: 'Ümlaut AG', commonName: 'www.example.com', days: 10 }, new Date('2026-01-01T00:00:00Z'));
    expect(made.summary.subject).toBe('C=DE, O=Ümlaut AG, CN=www.example.com');
    expect(made.summary.notAfter).toBe('2026-01-11T00:00:00.000Z');
    expect(x.inspect(made.privateKeyPem, made.certificatePem)).toEqual(made.summary);
  });
});

describe('LocalCipher', () => {
  it('round-trips with the same context, fails with another, keeps one key file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cipher-')), 'keys', 'k');
    const c = LocalCipher.loadOrCreate(file);
    const ct = await c.encrypt(Buffer.from('secret key'), { username: 'web1' });
    expect(ct).not.toContain('secret');
    expect((await LocalCipher.loadOrCreate(file).decrypt(ct, { username: 'web1' })).toString()).toBe('secret key');
    await expect(c.decrypt(ct, { username: 'web2' })).rejects.toThrow();
  });
});
