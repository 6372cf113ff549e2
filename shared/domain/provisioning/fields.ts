/**
 * One schema per field that both the API and the desired state validate: the request schemas use
 * these, and `validateDesiredState` checks the same field with the same schema. So nothing the API
 * accepts can be refused later by the desired state (and fail the user in provisioning), and the
 * script's own checks (infra/provisioning/provision.sh) mirror these patterns one for one
 * (test/unit/provisioning/fields.test.ts compares them).
 *
 * Pure: zod and the address check of node:net only.
 */
import { isIP } from 'node:net';
import * as z from 'zod';

/** Hosted usernames: `web<N>` from one installation-wide sequence (the script's RE_USER). */
export const HOSTED_USERNAME = /^web[0-9]{1,12}$/;

/** The reseller's index page: the script refuses NUL bytes and the state stays a small parameter. */
export const MAX_INDEX_PAGE_BYTES = 32 * 1024;
export const indexPageHtmlSchema = z
  .string({ error: 'must be HTML text or null' })
  .refine((s) => !s.includes('\0'), { error: 'must not contain a NUL byte' })
  .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_INDEX_PAGE_BYTES, { error: `must be at most ${MAX_INDEX_PAGE_BYTES / 1024} KiB` });

/** An address a site is bound to: IPv4 or IPv6 (the API's pools hand out IPv4 only, a subset). */
export const siteAddressSchema = z
  .string({ error: 'must be an IP address' })
  .refine((s) => isIP(s) !== 0, { error: 'must be an IPv4 or IPv6 address' });

/** A certificate as the server receives it: PEM text of one or more certificates (a chain). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;
const PEM_CERTIFICATE = /^(-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n)+$/;
export const certificatePemSchema = z
  .string({ error: 'must be a PEM certificate' })
  .max(MAX_CERTIFICATE_BYTES, { error: `must be at most ${MAX_CERTIFICATE_BYTES / 1024} KiB` })
  .regex(PEM_CERTIFICATE, { error: 'must be PEM certificates (BEGIN/END CERTIFICATE, base64 lines, one newline at the end)' });

/**
 * Where a server fetches a private key: a parameter name under the key store's path (SSM Parameter
 * Store on AWS, a 0600 file of the local stand-in), never the key itself. The script's RE_KEYREF.
 */
export const KEY_REF = /^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
export const keyRefSchema = z
  .string({ error: 'must be a key store parameter name' })
  .max(1011)
  .regex(KEY_REF, { error: 'must be a parameter path such as /reseller-panel/ssl/web12' })
  .refine((s) => !s.split('/').some((p) => p === '.' || p === '..'), { error: 'must not contain . or .. segments' });

/** SHA-256 (hex) of the key as stored: the server checks the key it fetched against it. */
export const sha256HexSchema = z.string({ error: 'must be a SHA-256 hex digest' }).regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 hex digest' });

/** FrontPage login and its Apache htpasswd hash (`{SHA}` of a generated 128-bit password). */
export const FRONTPAGE_LOGIN = /^web[0-9]{1,12}-fp$/;
export const frontPageLoginSchema = z.string({ error: 'must be a FrontPage login' }).regex(FRONTPAGE_LOGIN, { error: 'must be <username>-fp' });
export const htpasswdHashSchema = z
  .string({ error: 'must be an htpasswd hash' })
  .regex(/^\{SHA\}[A-Za-z0-9+/]{27}=$/, { error: 'must be an {SHA} htpasswd hash' });
