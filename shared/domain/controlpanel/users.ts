import * as z from 'zod';
import { resourceLimitsSchema } from '../limits';
import { emailSchema, preferencesSchema } from '../reseller';
import { passwordSchema } from '../password';
import { domainInputSchema, ipSchema, MAX_DOMAINS_PER_USER, type UserDomain } from './domains';
import { servicesSchema, type ResourceLimits, type Services } from './services';
import type { MailStanding, MailStatus } from '../mail/outbox';
import type { FrontPageLogin } from './frontpage';

/** Hosted usernames: `web<N>` from one installation-wide sequence, never reused. */
export const hostedUsername = (n: number) => `web${n}`;
export { HOSTED_USERNAME } from '../provisioning/fields';

export const USER_STATUSES = ['enabled', 'locked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Personal fields that may be shown on the user's home page. */
export const PERSONAL_FIELDS = [
  'salutation',
  'firstName',
  'lastName',
  'company',
  'street',
  'zip',
  'city',
  'country',
  'phone',
  'fax',
  'email',
  'free1',
  'free2',
  'free3',
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

const text = (max: number) => z.string({ error: 'must be a string' }).trim().max(max, { error: `must be at most ${max} characters` });
const required = (max: number) => text(max).min(1, { error: 'is required' });

/** Step 3: required first name, last name and e-mail; the rest optional; three reseller-labelled free fields. */
export const personalSchema = z.strictObject({
  salutation: text(20).optional(),
  firstName: required(100),
  lastName: required(100),
  company: text(200).optional(),
  street: text(200).optional(),
  zip: text(20).optional(),
  city: text(100).optional(),
  country: text(100).optional(),
  phone: text(50).optional(),
  fax: text(50).optional(),
  email: emailSchema,
  free1: text(500).optional(),
  free2: text(500).optional(),
  free3: text(500).optional(),
  /** Which of the fields above appear on the user's home page. */
  showOnHomePage: z.array(z.enum(PERSONAL_FIELDS, { error: 'must name a personal field' })).max(PERSONAL_FIELDS.length).default([]),
});
export type Personal = z.infer<typeof personalSchema>;
/** In a change: every field optional; the required ones cannot be emptied. */
export const personalPatchSchema = personalSchema.partial();

export const freeFieldLabelsSchema = z.strictObject({
  free1: text(60).optional(),
  free2: text(60).optional(),
  free3: text(60).optional(),
});

const domainsList = z.array(domainInputSchema).max(MAX_DOMAINS_PER_USER, { error: `at most ${MAX_DOMAINS_PER_USER} domains` });

/** The 5-step wizard as one request. Values given override the template's. */
export const createUserSchema = z.strictObject({
  template: z.string({ error: 'must be a template id' }).regex(/^t[a-f0-9]{20}$/, { error: 'must be a template id' }).optional(),
  limits: resourceLimitsSchema.optional(),
  services: servicesSchema.optional(),
  frontPage: z.boolean({ error: 'must be true or false' }).optional(),
  mysqlExternalAccess: z.boolean({ error: 'must be true or false' }).optional(),
  personal: personalSchema,
  domains: domainsList.optional(),
  ip: ipSchema.optional(),
  password: passwordSchema.optional(),
  language: preferencesSchema.shape.language,
  design: preferencesSchema.shape.design,
  sendEmail: z.boolean({ error: 'must be true or false' }).optional(),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const changeUserSchema = z.strictObject({
  personal: personalPatchSchema.optional(),
  limits: resourceLimitsSchema.optional(),
  services: servicesSchema.optional(),
  frontPage: z.boolean({ error: 'must be true or false' }).optional(),
  mysqlExternalAccess: z.boolean({ error: 'must be true or false' }).optional(),
  domains: z
    .strictObject({
      add: domainsList.optional(),
      remove: z.array(z.string().max(300)).max(MAX_DOMAINS_PER_USER).optional(),
      /** DNS / DNR switches of domains the user already has. */
      update: domainsList.optional(),
    })
    .optional(),
  /** An address of the reseller's pool, or null to give it back. */
  ip: ipSchema.nullable().optional(),
  language: preferencesSchema.shape.language,
  design: preferencesSchema.shape.design,
});
export type ChangeUserInput = z.infer<typeof changeUserSchema>;

export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  selfSigned: boolean;
  fingerprint256: string;
}

export interface HostedUser {
  username: string;
  resellerId: string;
  status: UserStatus;
  templateId: string | null;
  templateName: string | null;
  limits: ResourceLimits;
  services: Services;
  frontPage: boolean;
  /** The FrontPage login and its htpasswd hash while FrontPage is on (never the password). */
  frontPageLogin?: FrontPageLogin | null;
  mysqlExternalAccess: boolean;
  personal: Personal;
  domains: UserDomain[];
  ip: string | null;
  ssl: CertificateSummary | null;
  language: string;
  design: string;
  passwordHash: string;
  /** The managed hosting server the user lives on (chosen at creation; null for users from before servers). */
  serverId?: string | null;
  /** Set when SES reported the address as bounced or complaining (shared/app/mail/standing.ts); a new address clears it. */
  mailStatus?: MailStanding | null;
  /** Optimistic concurrency: every write checks and bumps it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What routes show: never the password hash. */
/** The user's standing with SES: a bounce or complaint counts only while the user keeps that address. */
export function currentStanding(u: Pick<HostedUser, 'mailStatus' | 'personal'>): MailStanding | null {
  const s = u.mailStatus;
  return s && s.address.toLowerCase() === u.personal.email.toLowerCase() ? s : null;
}

export function userView(u: HostedUser) {
  const { passwordHash: _p, resellerId: _r, mailStatus: _m, frontPageLogin, ...rest } = u;
  const current = currentStanding(u);
  return { ...rest, frontPageLogin: frontPageLogin?.login ?? null, mailStatus: (current?.status ?? 'ok') as MailStatus, ...(current ? { mailStatusDetail: { at: current.at, reason: current.reason } } : {}) };
}
export type UserView = ReturnType<typeof userView>;

export function userSummary(u: HostedUser) {
  return {
    username: u.username,
    status: u.status,
    name: `${u.personal.firstName} ${u.personal.lastName}`,
    email: u.personal.email,
    domains: u.domains.map((d) => d.name),
    ip: u.ip,
    frontPage: u.frontPage,
    mysqlDatabases: u.limits.mysqlDatabases,
    mysqlExternalAccess: u.mysqlExternalAccess,
    templateName: u.templateName,
    createdAt: u.createdAt,
  };
}
