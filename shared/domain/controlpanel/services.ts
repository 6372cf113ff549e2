import * as z from 'zod';
import {
  BACKUP_MODES,
  BOOLEAN_SERVICE_NAMES,
  RESOURCE_NAMES,
  SERVICE_NAMES,
  UNLIMITED,
  type BackupMode,
  type BooleanServiceName,
  type ResourceName,
} from '../catalog';
import type { FieldErrors } from '../errors';
import type { Limits } from '../limits';
import type { Features } from '../reseller';

/** The service switches of a template or hosted user: 18 booleans and the backup mode. */
export type Services = Record<BooleanServiceName, boolean> & { backup: BackupMode };
/** The 12 limits of a template or hosted user, every one present (0 = not available). */
export type ResourceLimits = Record<ResourceName, number>;

const serviceShape = Object.fromEntries(
  BOOLEAN_SERVICE_NAMES.map((n) => [n, z.boolean({ error: 'must be true or false' }).optional()]),
) as { [K in BooleanServiceName]: z.ZodOptional<z.ZodBoolean> };

/** Service switches as a request gives them: any subset; an unknown name is refused by name. */
export const servicesSchema = z.strictObject({
  ...serviceShape,
  backup: z.enum(BACKUP_MODES, { error: `must be one of ${BACKUP_MODES.join(', ')}` }).optional(),
});
export type ServicesInput = z.infer<typeof servicesSchema>;

/** Defaults of the seed: nothing is available until it is switched on. */
export const NO_SERVICES: Readonly<Services> = Object.freeze({
  ...(Object.fromEntries(BOOLEAN_SERVICE_NAMES.map((n) => [n, false])) as Record<BooleanServiceName, boolean>),
  backup: 'no' as BackupMode,
});
export const NO_LIMITS: Readonly<ResourceLimits> = Object.freeze(
  Object.fromEntries(RESOURCE_NAMES.map((n) => [n, 0])) as ResourceLimits,
);

export function fullServices(...layers: (Partial<Services> | undefined)[]): Services {
  const out: Services = { ...NO_SERVICES };
  for (const layer of layers) {
    if (!layer) continue;
    for (const n of SERVICE_NAMES) {
      const v = layer[n];
      if (v !== undefined) (out as Record<string, unknown>)[n] = v;
    }
  }
  return out;
}

export function fullLimits(...layers: (Partial<ResourceLimits> | undefined)[]): ResourceLimits {
  const out: ResourceLimits = { ...NO_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const n of RESOURCE_NAMES) {
      const v = layer[n];
      if (v !== undefined) out[n] = v;
    }
  }
  return out;
}

const isOn = (name: string, value: unknown) => (name === 'backup' ? value !== 'no' : value === true);

/**
 * Limits and services measured against what the operator gave the reseller:
 * - a resource or service the operator has not activated is refused (0 / off is fine);
 * - `-1` (unlimited) only where the reseller's own maximum and hard limit are both unlimited;
 * - a single value above the reseller's hard limit can never fit and is refused;
 * - MySQL external access only where the operator allowed it.
 */
export function checkAgainstReseller(
  input: { limits: Partial<ResourceLimits>; services: Partial<Services>; mysqlExternalAccess?: boolean },
  reseller: { limits: Limits; hardLimits: Limits; features: Features },
): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of RESOURCE_NAMES) {
    const v = input.limits[name];
    if (v === undefined || v === 0) continue;
    if (!reseller.features.resources.includes(name)) {
      errors[`limits.${name}`] = 'is not activated for your account (only 0 is possible)';
      continue;
    }
    const max = reseller.limits[name] ?? UNLIMITED;
    const hard = reseller.hardLimits[name] ?? UNLIMITED;
    if (v === UNLIMITED) {
      if (max !== UNLIMITED || hard !== UNLIMITED) {
        errors[`limits.${name}`] = '-1 (unlimited) is only possible where your own limit is unlimited';
      }
      continue;
    }
    if (hard !== UNLIMITED && v > hard) errors[`limits.${name}`] = `is above your hard limit (${hard})`;
  }
  for (const name of SERVICE_NAMES) {
    const v = input.services[name];
    if (v === undefined || !isOn(name, v)) continue;
    if (!reseller.features.services.includes(name)) errors[`services.${name}`] = 'is not activated for your account';
  }
  if (input.mysqlExternalAccess && !reseller.features.mysqlExternalAccess) {
    errors.mysqlExternalAccess = 'is not activated for your account';
  }
  return errors;
}

export interface RuleResult {
  errors: FieldErrors;
  warnings: string[];
}

/**
 * The seed's rules between services:
 * - FrontPage only while error files and password-protected directories are off (and vice versa);
 * - additional FTP users need FTP;
 * - standard CGI scripts are installed into cgi-bin, which exists only with CGI;
 * - MySQL external access needs at least one database;
 * - shell access is allowed but flagged as a substantial security risk.
 */
export function checkServiceRules(
  s: { limits: ResourceLimits; services: Services; frontPage?: boolean; mysqlExternalAccess?: boolean },
  prefix = '',
): RuleResult {
  const errors: FieldErrors = {};
  const warnings: string[] = [];
  if (s.frontPage) {
    if (s.services.errorFiles) errors[`${prefix}services.errorFiles`] = 'must be off while FrontPage is on';
    if (s.services.passwordProtection) errors[`${prefix}services.passwordProtection`] = 'must be off while FrontPage is on';
    if (s.services.errorFiles || s.services.passwordProtection) {
      errors[`${prefix}frontPage`] = 'needs errorFiles and passwordProtection off';
    }
  }
  if (s.limits.ftpUsers !== 0 && !s.services.ftp) {
    errors[`${prefix}limits.ftpUsers`] = 'additional FTP users need the ftp service';
  }
  if (s.services.standardCgi && !s.services.cgi) {
    errors[`${prefix}services.standardCgi`] = 'standard CGI scripts need the cgi service';
  }
  if (s.mysqlExternalAccess && s.limits.mysqlDatabases === 0) {
    errors[`${prefix}mysqlExternalAccess`] = 'needs at least one MySQL database';
  }
  if (s.services.shell) {
    warnings.push(
      'shell: shell access is a substantial security risk for the server; prefer scp/sftp (restricted shell) where the server supports it',
    );
  }
  return { errors, warnings };
}
