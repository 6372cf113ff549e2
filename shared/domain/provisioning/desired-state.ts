/**
 * The complete desired state of one hosted user on a hosting server.
 *
 * The panel never sends imperative steps ("create cgi-bin", "remove cron line 3"): it computes
 * this whole object from the user's current record and sends it. The provisioning script converges
 * the server to it, so sending the same state twice is always safe, and a state with a lower
 * `sequence` than the last one applied on the server is ignored (never applied out of order).
 *
 * Pure: no I/O, no clock.
 */
import type * as z from 'zod';
import { ValidationError } from '../errors';
import { limitValueSchema } from '../limits';
import { normalizeDomain } from '../controlpanel/domains';
import {
  HOSTED_USERNAME,
  MAX_INDEX_PAGE_BYTES,
  certificatePemSchema,
  frontPageLoginSchema,
  htpasswdHashSchema,
  indexPageHtmlSchema,
  keyRefSchema,
  sha256HexSchema,
  siteAddressSchema,
} from './fields';
import { BACKUP_MODES, BOOLEAN_SERVICE_NAMES, RESOURCE_NAMES, type BackupMode, type BooleanServiceName, type ResourceName } from '../catalog';

/** The panel's names (shared/domain/catalog.ts): the state speaks the same language as the API. */
export const PROVISION_RESOURCE_NAMES = RESOURCE_NAMES;
export type ProvisionResourceName = ResourceName;
export const PROVISION_SWITCH_NAMES = BOOLEAN_SERVICE_NAMES;
export type ProvisionSwitchName = BooleanServiceName;
export const PROVISION_BACKUP_MODES = BACKUP_MODES;
export type ProvisionBackupMode = BackupMode;

export type ProvisionServices = Record<ProvisionSwitchName, boolean> & { backup: ProvisionBackupMode };
export type ProvisionLimits = Record<ProvisionResourceName, number>;

export interface ProvisionDomain {
  /** ASCII (punycode) host name, e.g. `example.com`, `xn--bcher-kva.de`, `*.example.com`. */
  name: string;
  /** The panel manages the domain's DNS zone. */
  dns: boolean;
  /** The panel registered the domain (domain name registration). */
  dnr: boolean;
}

export interface ProvisionCronJob {
  /** Five cron fields (`*\/5 * * * *`) or a macro (`@daily`). */
  schedule: string;
  /** One command line, run as the hosted user. Never contains a newline, CR or NUL. */
  command: string;
}

/**
 * The user's own SSL certificate, present while the SSL service is on. The private key is never in
 * the state: `keyRef` names where the server fetches it (SSM Parameter Store on AWS, the local
 * stand-in of the embedded runtime) and `keySha256` lets the server check it fetched the key of
 * this very certificate (a newer upload may have replaced it meanwhile).
 */
export interface ProvisionSsl {
  /** PEM certificate(s), the server certificate first. */
  certificate: string;
  keyRef: string;
  keySha256: string;
}

/** FrontPage on: the login and its htpasswd hash (the password itself is shown once and never stored). */
export interface ProvisionFrontPage {
  login: string;
  passwordHash: string;
}

/** What the panel knows about a hosted user; omitted parts take their defaults. */
export interface DesiredStateInput {
  username: string;
  resellerId: string;
  /** Monotonic per username on a server (also across delete and re-create), e.g. a per-user
   *  version counter or a millisecond timestamp. */
  sequence: number;
  limits?: Partial<ProvisionLimits>;
  services?: Partial<ProvisionServices>;
  domains?: readonly ProvisionDomain[];
  /** Exclusive IP address of the user, or null for the server's shared address. */
  ip?: string | null;
  cronJobs?: readonly ProvisionCronJob[];
  locked?: boolean;
  deleted?: boolean;
  /** The reseller's index page (HTML, `##user##` replaced on the server), or null for none. */
  indexPage?: string | null;
  ssl?: ProvisionSsl | null;
  frontPage?: ProvisionFrontPage | null;
  /** MySQL accounts of the user may connect from other hosts. */
  mysqlExternalAccess?: boolean;
}

export const DESIRED_STATE_FORMAT = 'reseller-panel-state/1' as const;

/** The complete desired state: every field present, lists sorted. A plain JSON object. */
export interface DesiredState {
  format: typeof DESIRED_STATE_FORMAT;
  username: string;
  resellerId: string;
  sequence: number;
  limits: ProvisionLimits;
  services: ProvisionServices;
  domains: ProvisionDomain[];
  ip: string | null;
  cronJobs: ProvisionCronJob[];
  locked: boolean;
  deleted: boolean;
  indexPage: string | null;
  ssl: ProvisionSsl | null;
  frontPage: ProvisionFrontPage | null;
  mysqlExternalAccess: boolean;
}

/** Defaults: every limit 0 ("not available"), every switch off, backup "no". */
export const DEFAULT_LIMITS: Readonly<ProvisionLimits> = Object.freeze(
  Object.fromEntries(PROVISION_RESOURCE_NAMES.map((n) => [n, 0])) as ProvisionLimits,
);
export const DEFAULT_SERVICES: Readonly<ProvisionServices> = Object.freeze({
  ...(Object.fromEntries(PROVISION_SWITCH_NAMES.map((n) => [n, false])) as Record<ProvisionSwitchName, boolean>),
  backup: 'no' as ProvisionBackupMode,
});

/** Limits on sizes, so that the state stays a small SSM parameter. */
export const MAX_DOMAINS = 200;
export const MAX_CRON_JOBS = 100;
export const MAX_CRON_COMMAND_LENGTH = 1000;
export { MAX_INDEX_PAGE_BYTES };

/**
 * Computes the complete desired state of one hosted user and validates it.
 * Domain names are lower-cased, and domains and cron jobs are put in a stable order so that the
 * same user always yields the same state. Throws ValidationError naming the bad field.
 */
export function desiredState(input: DesiredStateInput): DesiredState {
  const limits: ProvisionLimits = { ...DEFAULT_LIMITS };
  for (const name of PROVISION_RESOURCE_NAMES) {
    const v = input.limits?.[name];
    if (v !== undefined) limits[name] = v;
  }
  const services: ProvisionServices = { ...DEFAULT_SERVICES };
  for (const name of PROVISION_SWITCH_NAMES) {
    const v = input.services?.[name];
    if (v !== undefined) services[name] = v;
  }
  if (input.services?.backup !== undefined) services.backup = input.services.backup;

  const domains = (input.domains ?? [])
    .map((d) => ({ name: typeof d.name === 'string' ? d.name.toLowerCase() : d.name, dns: d.dns, dnr: d.dnr }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cronJobs = (input.cronJobs ?? []).map((j) => ({ schedule: j.schedule, command: j.command }));

  const state: DesiredState = {
    format: DESIRED_STATE_FORMAT,
    username: input.username,
    resellerId: input.resellerId,
    sequence: input.sequence,
    limits,
    services,
    domains,
    ip: input.ip ?? null,
    cronJobs,
    locked: input.locked ?? false,
    deleted: input.deleted ?? false,
    indexPage: input.indexPage === undefined || input.indexPage === '' ? null : input.indexPage,
    ssl: input.ssl ? { certificate: input.ssl.certificate, keyRef: input.ssl.keyRef, keySha256: input.ssl.keySha256 } : null,
    frontPage: input.frontPage ? { login: input.frontPage.login, passwordHash: input.frontPage.passwordHash } : null,
    mysqlExternalAccess: input.mysqlExternalAccess ?? false,
  };
  validateDesiredState(state);
  return state;
}

/** The API's pattern (fields.ts): a username the panel hands out is always one the state accepts. */
export const USERNAME_PATTERN = HOSTED_USERNAME;
export const RESELLER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const CRON_FIELD = /^[0-9A-Za-z*,/-]{1,64}$/;
const CRON_MACROS = ['@reboot', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function fail(field: string, reason: string): never {
  throw ValidationError.field(field, reason);
}

/** Checks one field with the schema the API uses for it (fields.ts), naming the field. */
function check(field: string, schema: z.ZodType, value: unknown): void {
  const r = schema.safeParse(value);
  if (!r.success) fail(field, r.error.issues[0]?.message ?? 'is not valid');
}

function checkNoControl(field: string, value: string, allowNewlines: boolean): void {
  if (value.includes('\0')) fail(field, 'must not contain a NUL byte');
  if (!allowNewlines && /[\r\n]/.test(value)) fail(field, 'must not contain a newline or carriage return');
}

/**
 * True when `name` is a domain as the API stores it (normalizeDomain: lower-case ASCII, punycode,
 * already normalized), optionally with a leading `*.` wildcard: the same rule for both sides.
 */
export function isValidDomainName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) return false;
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  const n = normalizeDomain(bare);
  return 'name' in n && n.name === bare;
}

/** True when `schedule` is five cron fields or a cron macro. */
export function isValidCronSchedule(schedule: string): boolean {
  if (typeof schedule !== 'string') return false;
  if (CRON_MACROS.includes(schedule)) return true;
  const fields = schedule.split(' ');
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

function isWholeNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/**
 * Refuses any state that could escape the server's root or inject into a generated file:
 * usernames other than `web<digits>`, names with `/` or `..`, invalid domain labels, cron lines
 * with a newline or CR, NUL bytes, unknown service values. Throws ValidationError naming the field.
 * Accepts `unknown` so it can guard data that did not come from `desiredState`.
 */
export function validateDesiredState(state: unknown): asserts state is DesiredState {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) fail('state', 'must be an object');
  const s = state as Record<string, unknown>;
  if (s.format !== DESIRED_STATE_FORMAT) fail('format', `must be ${DESIRED_STATE_FORMAT}`);

  if (typeof s.username !== 'string') fail('username', 'must be a string');
  checkNoControl('username', s.username, false);
  if (s.username.includes('/') || s.username.includes('..')) fail('username', 'must not contain a slash or ..');
  if (!USERNAME_PATTERN.test(s.username)) fail('username', 'must match ^web[0-9]+$');

  if (typeof s.resellerId !== 'string') fail('resellerId', 'must be a string');
  checkNoControl('resellerId', s.resellerId, false);
  if (s.resellerId.includes('/') || s.resellerId.includes('..')) fail('resellerId', 'must not contain a slash or ..');
  if (!RESELLER_ID_PATTERN.test(s.resellerId)) fail('resellerId', 'must be letters, digits, _ or - (at most 64)');

  if (!isWholeNumber(s.sequence) || s.sequence < 0) fail('sequence', 'must be a whole number >= 0');

  if (typeof s.limits !== 'object' || s.limits === null) fail('limits', 'must be an object');
  const limits = s.limits as Record<string, unknown>;
  for (const key of Object.keys(limits)) {
    if (!(PROVISION_RESOURCE_NAMES as readonly string[]).includes(key)) fail(`limits.${key}`, 'unknown limit');
  }
  for (const name of PROVISION_RESOURCE_NAMES) {
    if (limits[name] === undefined) fail(`limits.${name}`, 'must be a whole number, -1 for unlimited');
    check(`limits.${name}`, limitValueSchema, limits[name]);
  }

  if (typeof s.services !== 'object' || s.services === null) fail('services', 'must be an object');
  const services = s.services as Record<string, unknown>;
  for (const key of Object.keys(services)) {
    if (key !== 'backup' && !(PROVISION_SWITCH_NAMES as readonly string[]).includes(key)) {
      fail(`services.${key}`, 'unknown service');
    }
  }
  for (const name of PROVISION_SWITCH_NAMES) {
    if (typeof services[name] !== 'boolean') fail(`services.${name}`, 'must be true or false');
  }
  if (!(PROVISION_BACKUP_MODES as readonly unknown[]).includes(services.backup)) {
    fail('services.backup', 'must be "no", "yes" or "upload"');
  }

  if (!Array.isArray(s.domains)) fail('domains', 'must be a list');
  if (s.domains.length > MAX_DOMAINS) fail('domains', `at most ${MAX_DOMAINS}`);
  const seen = new Set<string>();
  s.domains.forEach((d: unknown, i: number) => {
    const f = `domains[${i}]`;
    if (typeof d !== 'object' || d === null) fail(f, 'must be an object');
    const dom = d as Record<string, unknown>;
    if (typeof dom.name !== 'string') fail(`${f}.name`, 'must be a string');
    checkNoControl(`${f}.name`, dom.name, false);
    if (dom.name.includes('/') || dom.name.includes('\\')) fail(`${f}.name`, 'must not contain a slash');
    if (!isValidDomainName(dom.name)) fail(`${f}.name`, 'must be a lower-case ASCII (punycode) host name');
    if (seen.has(dom.name)) fail(`${f}.name`, 'duplicate domain');
    seen.add(dom.name);
    if (typeof dom.dns !== 'boolean') fail(`${f}.dns`, 'must be true or false');
    if (typeof dom.dnr !== 'boolean') fail(`${f}.dnr`, 'must be true or false');
  });

  if (s.ip !== null) {
    if (typeof s.ip !== 'string') fail('ip', 'must be an IP address or null');
    checkNoControl('ip', s.ip, false);
    check('ip', siteAddressSchema, s.ip);
  }

  if (!Array.isArray(s.cronJobs)) fail('cronJobs', 'must be a list');
  if (s.cronJobs.length > MAX_CRON_JOBS) fail('cronJobs', `at most ${MAX_CRON_JOBS}`);
  s.cronJobs.forEach((j: unknown, i: number) => {
    const f = `cronJobs[${i}]`;
    if (typeof j !== 'object' || j === null) fail(f, 'must be an object');
    const job = j as Record<string, unknown>;
    if (typeof job.schedule !== 'string') fail(`${f}.schedule`, 'must be a string');
    checkNoControl(`${f}.schedule`, job.schedule, false);
    if (!isValidCronSchedule(job.schedule)) fail(`${f}.schedule`, 'must be five cron fields or a macro such as @daily');
    if (typeof job.command !== 'string') fail(`${f}.command`, 'must be a string');
    checkNoControl(`${f}.command`, job.command, false);
    if (job.command.trim() === '') fail(`${f}.command`, 'must not be empty');
    if (job.command.length > MAX_CRON_COMMAND_LENGTH) fail(`${f}.command`, `at most ${MAX_CRON_COMMAND_LENGTH} characters`);
  });

  if (typeof s.locked !== 'boolean') fail('locked', 'must be true or false');
  if (typeof s.deleted !== 'boolean') fail('deleted', 'must be true or false');

  if (s.indexPage !== null) check('indexPage', indexPageHtmlSchema, s.indexPage);
  validateDeliveredServices(s);
}

/** The certificate, FrontPage and MySQL external access (issue 8: what the panel accepts reaches the server). */
function validateDeliveredServices(s: Record<string, unknown>): void {
  if (s.ssl !== null) {
    if (typeof s.ssl !== 'object' || s.ssl === undefined || Array.isArray(s.ssl)) fail('ssl', 'must be a certificate or null');
    const ssl = s.ssl as Record<string, unknown>;
    for (const key of Object.keys(ssl)) if (!['certificate', 'keyRef', 'keySha256'].includes(key)) fail(`ssl.${key}`, 'unknown field');
    check('ssl.certificate', certificatePemSchema, ssl.certificate);
    check('ssl.keyRef', keyRefSchema, ssl.keyRef);
    check('ssl.keySha256', sha256HexSchema, ssl.keySha256);
  }
  if (s.frontPage !== null) {
    if (typeof s.frontPage !== 'object' || s.frontPage === undefined || Array.isArray(s.frontPage)) fail('frontPage', 'must be a login or null');
    const fp = s.frontPage as Record<string, unknown>;
    for (const key of Object.keys(fp)) if (!['login', 'passwordHash'].includes(key)) fail(`frontPage.${key}`, 'unknown field');
    check('frontPage.login', frontPageLoginSchema, fp.login);
    if (fp.login !== `${s.username as string}-fp`) fail('frontPage.login', 'must be <username>-fp');
    check('frontPage.passwordHash', htpasswdHashSchema, fp.passwordHash);
  }
  if (typeof s.mysqlExternalAccess !== 'boolean') fail('mysqlExternalAccess', 'must be true or false');
}
