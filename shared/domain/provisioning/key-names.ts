/**
 * The name scheme of hosted users' private keys in the key store (SSM Parameter Store on AWS, its
 * local stand-in in the embedded runtime), in one place: `<path>/<username>/<first 16 hex of the
 * key's SHA-256>`. One parameter per certificate, so a push of an older state never fetches a newer
 * key (the server checks the full digest too), and a failed write leaves the current one intact.
 * IAM grants the API Put/Delete and the servers Get under `<path>/*` only.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_KEY_STORE_PATH = '/reseller-panel/ssl';
const PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

/** The key as stored and as the server writes it: LF line ends, no surrounding blanks, one final newline. */
export function normalizeKeyPem(pem: string): string {
  return pem.replace(/\r\n?/g, '\n').trim() + '\n';
}

/** SHA-256 (hex) of the normalized key: what the desired state carries instead of the key. */
export function keyDigest(pem: string): string {
  return createHash('sha256').update(normalizeKeyPem(pem), 'utf8').digest('hex');
}

export function sslKeyRef(path: string, username: string, digest: string): string {
  if (!PATH.test(path) || path.split('/').some((p) => p === '.' || p === '..')) throw new Error(`invalid key store path: ${path}`);
  return `${path}/${username}/${digest.slice(0, 16)}`;
}
