import { createHash, createPrivateKey, createSign, generateKeyPair, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { CertificateSummary } from '../../domain/controlpanel/users';
import { ValidationError } from '../../domain/errors';
import type { CompanyDetails, X509Tool } from '../../ports/x509';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Certificates with node:crypto only (no openssl CLI, which Lambda does not have, and no extra
 * package): uploaded PEM is parsed with X509Certificate / createPrivateKey and matched with
 * checkPrivateKey; self-signed certificates are built as DER here (a few ASN.1 constructors) and
 * signed with sha256WithRSAEncryption over an RSA-2048 key.
 */
export class NodeX509 implements X509Tool {
  inspect(privateKeyPem: string, certificatePem: string): CertificateSummary {
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(certificatePem)) {
      throw ValidationError.field('certificate', 'is not a PEM certificate (-----BEGIN CERTIFICATE-----)');
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certificatePem);
    } catch {
      throw ValidationError.field('certificate', 'is not a valid PEM certificate');
    }
    if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/.test(privateKeyPem)) {
      throw ValidationError.field('privateKey', 'is not a PEM private key (-----BEGIN PRIVATE KEY-----)');
    }
    if (/ENCRYPTED/.test(privateKeyPem)) throw ValidationError.field('privateKey', 'must not be protected by a passphrase');
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
    } catch {
      throw ValidationError.field('privateKey', 'is not a valid PEM private key');
    }
    if (!cert.checkPrivateKey(key)) throw ValidationError.field('privateKey', 'does not match the certificate');
    return summarize(cert);
  }

  async selfSigned(d: CompanyDetails, now: Date) {
    const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
    const name = distinguishedName(d);
    const notBefore = new Date(now.getTime() - 60_000);
    const notAfter = new Date(now.getTime() + d.days * 86_400_000);
    const serial = randomBytes(16);
    serial[0] = (serial[0] as number) & 0x7f; // positive
    const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)));
    const extensions = explicit(
      3,
      seq(
        // basicConstraints: not a CA (critical)
        seq(oid('2.5.29.19'), der(0x01, Buffer.from([0xff])), octet(seq())),
        // keyUsage: digitalSignature, keyEncipherment (critical)
        seq(oid('2.5.29.15'), der(0x01, Buffer.from([0xff])), octet(der(0x03, Buffer.from([0x05, 0xa0])))),
        // extKeyUsage: serverAuth
        seq(oid('2.5.29.37'), octet(seq(oid('1.3.6.1.5.5.7.3.1')))),
        // subjectAltName: the common name as a DNS name
        seq(oid('2.5.29.17'), octet(seq(der(0x82, Buffer.from(d.commonName, 'ascii'))))),
      ),
    );
    const tbs = seq(
      explicit(0, integer(Buffer.from([2]))),
      integer(serial),
      sha256WithRsa,
      name,
      seq(time(notBefore), time(notAfter)),
      name,
      publicKey.export({ type: 'spki', format: 'der' }),
      extensions,
    );
    const signature = createSign('sha256').update(tbs).sign(privateKey);
    const certDer = seq(tbs, sha256WithRsa, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
    const certificatePem = pem('CERTIFICATE', certDer);
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    return { privateKeyPem, certificatePem, summary: summarize(new X509Certificate(certificatePem)) };
  }
}

function summarize(cert: X509Certificate): CertificateSummary {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
    fingerprint256: cert.fingerprint256,
  };
}

export const fingerprintOf = (pemText: string) => createHash('sha256').update(pemText).digest('hex');

// --- a minimal DER encoder -----------------------------------------------------------------------

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
const octet = (b: Buffer) => der(0x04, b);
const explicit = (n: number, b: Buffer) => der(0xa0 + n, b);
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] as number) & 0x80) === 0) i++;
  const body = b.subarray(i);
  return der(0x02, (body[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}
function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}
function distinguishedName(d: CompanyDetails): Buffer {
  const rdn = (o: string, value: string, tag = 0x0c) => set(seq(oid(o), der(tag, Buffer.from(value, 'utf8'))));
  return seq(
    rdn('2.5.4.6', d.country.toUpperCase(), 0x13),
    ...(d.state ? [rdn('2.5.4.8', d.state)] : []),
    ...(d.city ? [rdn('2.5.4.7', d.city)] : []),
    rdn('2.5.4.10', d.organization),
    ...(d.organizationalUnit ? [rdn('2.5.4.11', d.organizationalUnit)] : []),
    rdn('2.5.4.3', d.commonName),
    ...(d.email ? [rdn('1.2.840.113549.1.9.1', d.email, 0x16)] : []),
  );
}
const pem = (label: string, body: Buffer) =>
  `-----BEGIN ${label}-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
