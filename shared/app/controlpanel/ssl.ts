import type { HostedUser } from '../../domain/controlpanel/users';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { PageRequest } from '../../ports/page';
import type { CompanyDetails } from '../../ports/x509';
import { keyDigest, sslKeyRef } from '../../domain/provisioning/key-names';
import { certificatePemSchema } from '../../domain/provisioning/fields';
import type { CertificateStore, StoredCertificate } from '../../ports/controlpanel';
import type { KeyCipher } from '../../ports/key-cipher';
import type { PrivateKeyStore } from '../../ports/private-key-store';
import type { Message } from '../../ports/message-log';
import { resellerOf } from '../actor';
import { message, type ControlPanelDeps } from './deps';

/** Users → SSL: the users who have an exclusive IP (one key query on the pool, one read per user shown). */
export async function listSslUsers(deps: ControlPanelDeps, actor: Principal, page: PageRequest) {
  const resellerId = resellerOf(actor);
  const pool = await deps.ipPool.list(resellerId, page);
  const items = [];
  for (const p of pool.items) {
    if (!p.assignedTo) continue;
    const u = await deps.users.get(resellerId, p.assignedTo);
    items.push({ username: p.assignedTo, ip: p.ip, ssl: u?.ssl ?? null, sslService: u?.services.ssl ?? false });
  }
  return { items, nextCursor: pool.nextCursor };
}

async function userWithIp(deps: ControlPanelDeps, resellerId: string, username: string): Promise<HostedUser> {
  const u = await deps.users.get(resellerId, username);
  if (!u) throw new NotFoundError('user not found');
  return u;
}

/** The seed: an own certificate needs an exclusive IP, and the SSL service on for the user. */
function requireIp(u: HostedUser) {
  if (!u.ip) throw new ConflictError('an own SSL certificate needs an exclusive IP address', 'NO_EXCLUSIVE_IP', { ip: 'the user has no exclusive IP address' });
  if (!u.services.ssl) throw new ConflictError('the SSL service is off for this user', 'SSL_SERVICE_OFF', { 'services.ssl': 'must be on for an own certificate' });
}

const context = (resellerId: string, username: string) => ({ resellerId, username, purpose: 'ssl-private-key' });

/**
 * Stores a certificate: its key first goes to the key store the servers fetch it from (a parameter
 * of its own, named after its digest), then the certificate item and the user (one transaction,
 * which also makes the user pending for its server). A failed transaction removes the new parameter;
 * a successful one removes the previous certificate's.
 */
async function storeCertificate(
  deps: ControlPanelDeps,
  resellerId: string,
  u: HostedUser,
  cert: Omit<StoredCertificate, 'keyRef' | 'keySha256'>,
  keyPem: string,
  note: Message,
) {
  const keySha256 = keyDigest(keyPem);
  const keyRef = sslKeyRef(deps.privateKeys.path, u.username, keySha256);
  const previous = u.ssl ? (await deps.certificates.get(resellerId, u.username))?.keyRef : undefined;
  await deps.privateKeys.put(keyRef, keyPem);
  try {
    await deps.certificates.put(resellerId, u, { ...cert, keyRef, keySha256 }, note);
  } catch (e) {
    if (keyRef !== previous) await deps.privateKeys.remove(keyRef).catch(() => undefined);
    throw e;
  }
  if (previous && previous !== keyRef) await deps.privateKeys.remove(previous).catch(() => undefined);
}

/** Upload a private key and its certificate: parsed, matched, the key encrypted at rest, never returned. */
export async function uploadCertificate(
  deps: ControlPanelDeps,
  actor: Principal,
  username: string,
  input: { privateKey: string; certificate: string },
) {
  const resellerId = resellerOf(actor);
  const u = await userWithIp(deps, resellerId, username);
  const summary = deps.x509.inspect(input.privateKey, input.certificate);
  // The PEM the server gets (the desired state's schema): refused here, never in provisioning.
  const certificatePem = input.certificate.replace(/\r\n?/g, '\n').trim() + '\n';
  const pem = certificatePemSchema.safeParse(certificatePem);
  if (!pem.success) throw ValidationError.field('certificate', pem.error.issues[0]?.message ?? 'is not valid');
  requireIp(u);
  const encryptedKey = await deps.keyCipher.encrypt(Buffer.from(input.privateKey, 'utf8'), context(resellerId, username));
  await storeCertificate(
    deps,
    resellerId,
    u,
    { username, certificatePem, encryptedKey, summary },
    input.privateKey,
    message(deps, 'notice', `SSL certificate of user ${username} stored: ${summary.subject}, valid until ${summary.notAfter}`, { user: username }),
  );
  return { username, ip: u.ip, ...summary };
}

/** A self-signed (unofficial) certificate from company details. */
export async function createSelfSigned(deps: ControlPanelDeps, actor: Principal, username: string, details: Omit<CompanyDetails, 'commonName'> & { commonName?: string }) {
  const resellerId = resellerOf(actor);
  const u = await userWithIp(deps, resellerId, username);
  requireIp(u);
  const commonName = details.commonName ?? u.domains[0]?.name;
  if (!commonName) throw ValidationError.field('commonName', 'is required when the user has no domain');
  const made = await deps.x509.selfSigned({ ...details, commonName }, deps.clock.now());
  const encryptedKey = await deps.keyCipher.encrypt(Buffer.from(made.privateKeyPem, 'utf8'), context(resellerId, username));
  await storeCertificate(
    deps,
    resellerId,
    u,
    { username, certificatePem: made.certificatePem, encryptedKey, summary: made.summary },
    made.privateKeyPem,
    message(deps, 'notice', `self-signed SSL certificate created for user ${username}: ${made.summary.subject}`, { user: username }),
  );
  return { username, ip: u.ip, ...made.summary };
}

/** The certificate (public) and its summary; never the private key. */
export async function getCertificate(deps: ControlPanelDeps, actor: Principal, username: string) {
  const resellerId = resellerOf(actor);
  await userWithIp(deps, resellerId, username);
  const c = await deps.certificates.get(resellerId, username);
  if (!c) throw new NotFoundError('the user has no own certificate');
  return { username, certificate: c.certificatePem, ...c.summary };
}

export async function deleteCertificate(deps: ControlPanelDeps, actor: Principal, username: string) {
  const resellerId = resellerOf(actor);
  const u = await userWithIp(deps, resellerId, username);
  if (!u.ssl) throw new NotFoundError('the user has no own certificate');
  const keyRef = (await deps.certificates.get(resellerId, username))?.keyRef;
  await deps.certificates.remove(resellerId, u, message(deps, 'notice', `SSL certificate of user ${username} deleted`, { user: username }));
  // After the user's change: the push that removes the files from the server needs no key.
  if (keyRef) {
    await deps.privateKeys.remove(keyRef).catch(async (e: Error) => {
      await deps.messages
        .write(resellerId, { type: 'error', text: `the private key of ${username}'s deleted certificate could not be removed from the key store (${keyRef}): ${e.message}` }, deps.clock.now())
        .catch(() => undefined);
    });
  }
}

export interface KeyMigrationDeps {
  certificates: Pick<CertificateStore, 'get' | 'recordKeyRef'>;
  keyCipher: Pick<KeyCipher, 'decrypt'>;
  privateKeys: PrivateKeyStore;
}

/**
 * A certificate stored before the key store (its key only in the table, encrypted) gets its
 * parameter on its way to the server: the key is decrypted, put where the servers fetch it, and the
 * reference recorded on the certificate item — only if that item is still the same certificate
 * (a replacement or delete meanwhile wins, and the parameter made here is removed again).
 * Returns the certificate as it now is.
 */
export async function ensureKeyParameter(deps: KeyMigrationDeps, resellerId: string, cert: StoredCertificate): Promise<StoredCertificate | undefined> {
  if (cert.keyRef && cert.keySha256) return cert;
  const keyPem = (await deps.keyCipher.decrypt(cert.encryptedKey, context(resellerId, cert.username))).toString('utf8');
  const keySha256 = keyDigest(keyPem);
  const keyRef = sslKeyRef(deps.privateKeys.path, cert.username, keySha256);
  await deps.privateKeys.put(keyRef, keyPem);
  if (await deps.certificates.recordKeyRef(resellerId, cert.username, cert.encryptedKey, keyRef, keySha256)) return { ...cert, keyRef, keySha256 };
  const now = await deps.certificates.get(resellerId, cert.username);
  if (now?.keyRef !== keyRef) await deps.privateKeys.remove(keyRef).catch(() => undefined);
  return now;
}
