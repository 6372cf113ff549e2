import * as z from 'zod';
import { RESELLER_LIMIT_NAMES, RESOURCE_NAMES, SERVICE_NAMES, type ResourceName, type ServiceName } from './catalog';
import { resellerLimitsSchema, checkHardLimits, exceeds, isUnlimited, type Limits } from './limits';
import { passwordSchema } from './password';

export const resellerUsernameSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z][a-z0-9_-]{2,31}$/, {
    error: 'must be 3-32 characters: lower-case letters, digits, _ or -, starting with a letter',
  })
  .refine((u) => !/^web[0-9]+$/.test(u) && u !== 'operator', {
    error: 'is reserved (web<N> names belong to hosted users)',
  });

export const emailSchema = z.email({ error: 'must be an e-mail address' }).max(254);

/**
 * What the operator activates for a reseller (the seed's "if activated by Admin"): which services
 * and resources they may offer at all, and whether they may open MySQL to external hosts.
 * Left out, everything is activated except MySQL external access.
 */
export const featuresSchema = z.strictObject({
  services: z.array(z.enum(SERVICE_NAMES)).optional(),
  resources: z.array(z.enum(RESOURCE_NAMES)).optional(),
  mysqlExternalAccess: z.boolean().optional(),
  oldSkins: z.boolean().optional(),
});
export type FeaturesInput = z.infer<typeof featuresSchema>;

export interface Features {
  services: ServiceName[];
  resources: ResourceName[];
  mysqlExternalAccess: boolean;
  oldSkins: boolean;
}

export function resolveFeatures(input: FeaturesInput | undefined, current?: Features): Features {
  return {
    services: input?.services ?? current?.services ?? [...SERVICE_NAMES],
    resources: input?.resources ?? current?.resources ?? [...RESOURCE_NAMES],
    mysqlExternalAccess: input?.mysqlExternalAccess ?? current?.mysqlExternalAccess ?? false,
    oldSkins: input?.oldSkins ?? current?.oldSkins ?? false,
  };
}

export const createResellerSchema = z.strictObject({
  username: resellerUsernameSchema,
  password: passwordSchema,
  email: emailSchema,
  limits: resellerLimitsSchema,
  hardLimits: resellerLimitsSchema.optional(),
  features: featuresSchema.optional(),
});
export type CreateResellerInput = z.infer<typeof createResellerSchema>;

export const updateResellerSchema = z.strictObject({
  email: emailSchema.optional(),
  limits: resellerLimitsSchema.optional(),
  hardLimits: resellerLimitsSchema.optional(),
  features: featuresSchema.optional(),
});
export type UpdateResellerInput = z.infer<typeof updateResellerSchema>;

export const preferencesSchema = z.strictObject({
  language: z.enum(['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt']).optional(),
  design: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a design name (a-z, 0-9, -)' }).optional(),
});
export type Preferences = { language: string; design: string };
export const DEFAULT_PREFERENCES: Preferences = { language: 'en', design: 'default' };

export type ResellerStatus = 'active' | 'locked';

export interface Reseller {
  id: string;
  username: string;
  email: string;
  status: ResellerStatus;
  limits: Limits;
  hardLimits: Limits;
  features: Features;
  preferences: Preferences;
  /** Allocated per resource (sum over hosted users) and the number of users; kept by transactions. */
  used: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

export interface ResourceOverview {
  used: number;
  max: number;
  hard: number;
  exceeded: boolean;
}

/** The General -> Overview table: every limit with what is used, the maximum, the hard limit. */
export function accountOverview(r: Pick<Reseller, 'limits' | 'hardLimits' | 'used'>): Record<string, ResourceOverview> {
  const out: Record<string, ResourceOverview> = {};
  for (const name of RESELLER_LIMIT_NAMES) {
    const used = r.used[name] ?? 0;
    const max = r.limits[name] ?? -1;
    const hard = r.hardLimits[name] ?? -1;
    out[name] = { used, max, hard, exceeded: exceeds(used, max) };
  }
  return out;
}

export { checkHardLimits, isUnlimited };
