import * as z from 'zod';
import { SCOPE_NAMES } from '../../shared/domain/scopes';
import { runSchema } from '../../shared/app/runs/runs';
import { BACKUP_MODES, BOOLEAN_SERVICE_NAMES, RESELLER_LIMIT_NAMES, RESOURCE_NAMES, SERVICE_NAMES } from '../../shared/domain/catalog';
import { BUILT_IN_DESIGNS, SKIN_COLOR_NAMES } from '../../shared/domain/controlpanel/skins';
import { PERSONAL_FIELDS, USER_STATUSES } from '../../shared/domain/controlpanel/users';
import { PROVISIONING_STATUSES } from '../../shared/domain/provisioning/status';
import { MAIL_STATUSES } from '../../shared/domain/mail/outbox';

/**
 * The bodies the API answers with, one schema per shape. Each route's `response` names one of
 * them; the route type ties it to what the handler returns (a handler that builds another shape
 * does not type-check), /openapi.json documents it, and the contract test validates every response
 * the API tests receive against the document. Objects are closed (additionalProperties false in the
 * document), so a field added to a response without its schema fails the contract test.
 */

const decimal = z.string().describe('a decimal number as a string, e.g. "12.50"');
const day = z.string().describe('a day, YYYY-MM-DD');
const time = z.string().describe('an ISO 8601 time');
const cursor = z.string().nullable().describe('pass as ?cursor= to get the next page; null on the last page');

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: cursor });
const recordOf = <K extends readonly [string, ...string[]], V extends z.ZodType>(keys: K, value: V) =>
  z.object(Object.fromEntries(keys.map((k) => [k, value])) as { [P in K[number]]: V });

export const limitsView = recordOf(RESOURCE_NAMES, z.number().int().describe('-1 unlimited, 0 not available'));
export const servicesView = z.object({
  ...(Object.fromEntries(BOOLEAN_SERVICE_NAMES.map((n) => [n, z.boolean()])) as { [K in (typeof BOOLEAN_SERVICE_NAMES)[number]]: z.ZodBoolean }),
  backup: z.enum(BACKUP_MODES),
});
export const exceededView = z.object({ field: z.string(), used: z.number(), max: z.number() });
const warnings = z.array(z.string());

// ---- account and resellers
export const messageView = z.object({
  id: z.string(),
  at: time,
  type: z.enum(['error', 'notice']),
  text: z.string(),
  subject: z.record(z.string(), z.string()).optional(),
});
export const preferencesView = z.object({ language: z.string(), design: z.string() });
export const featuresView = z.object({
  services: z.array(z.enum(SERVICE_NAMES)),
  resources: z.array(z.enum(RESOURCE_NAMES)),
  mysqlExternalAccess: z.boolean(),
  oldSkins: z.boolean(),
});
const overview = z.object({ used: z.number(), max: z.number(), hard: z.number(), exceeded: z.boolean() });
const resellerLimits = z.object(
  Object.fromEntries(RESELLER_LIMIT_NAMES.map((n) => [n, z.number().int().optional()])) as {
    [K in (typeof RESELLER_LIMIT_NAMES)[number]]: z.ZodOptional<z.ZodNumber>;
  },
);
export const accountView = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  status: z.enum(['active', 'locked']),
  preferences: preferencesView,
  features: featuresView,
  resources: z.record(z.string(), overview),
  usage: z.object({ trafficGbThisMonth: decimal, storageMbMeasured: decimal }),
});
export const resellerView = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  status: z.enum(['active', 'locked']),
  limits: resellerLimits,
  hardLimits: resellerLimits,
  features: featuresView,
  preferences: preferencesView,
  resources: z.record(z.string(), overview),
  createdAt: time,
  updatedAt: time,
});
export const createdReseller = z.object({ id: z.string(), username: z.string() });
export const tokenView = z.object({ token: z.string(), expiresIn: z.number().int().describe('seconds') });
export const poolIpView = z.object({ ip: z.string(), assignedTo: z.string().nullable() });

// ---- templates
export const templateView = z.object({
  id: z.string(),
  name: z.string(),
  limits: limitsView,
  services: servicesView,
  warnings: warnings.optional(),
  createdAt: time,
  updatedAt: time,
});
export const registrationEmailView = z.object({ isDefault: z.boolean(), tags: z.array(z.string()), subject: z.string(), text: z.string() });
export const personalFieldsView = z.object({ labels: z.record(z.string(), z.string()) });

// ---- users
const personalView = z.object({
  ...(Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, z.string().optional()])) as { [K in (typeof PERSONAL_FIELDS)[number]]: z.ZodOptional<z.ZodString> }),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  showOnHomePage: z.array(z.enum(PERSONAL_FIELDS)),
});
const domainView = z.object({ name: z.string().describe('ASCII (punycode)'), dns: z.boolean(), dnr: z.boolean() });
export const certificateSummary = z.object({
  subject: z.string(),
  issuer: z.string(),
  notBefore: time,
  notAfter: time,
  selfSigned: z.boolean(),
  fingerprint256: z.string(),
});
export const provisioningView = z.object({
  status: z.enum(PROVISIONING_STATUSES),
  lastError: z.string().nullable(),
  attempts: z.number().int(),
  updatedAt: time.nullable(),
  nextAttemptAt: time.nullable(),
  sequence: z.number().int(),
  billingLocked: z.boolean().describe('locked on the server because the billing account is suspended (apart from the reseller\'s own lock, the user\'s status)'),
});
const userFields = {
  username: z.string(),
  status: z.enum(USER_STATUSES),
  templateId: z.string().nullable(),
  templateName: z.string().nullable(),
  limits: limitsView,
  services: servicesView,
  frontPage: z.boolean(),
  frontPageLogin: z.string().nullable().optional().describe('the FrontPage login while FrontPage is on (never its password)'),
  mysqlExternalAccess: z.boolean(),
  personal: personalView,
  domains: z.array(domainView),
  ip: z.string().nullable(),
  ssl: certificateSummary.nullable(),
  language: z.string(),
  design: z.string(),
  serverId: z.string().nullable().optional(),
  version: z.number().int(),
  createdAt: time,
  updatedAt: time,
};
/** The user's standing with SES (docs/mail.md): bounced and complaining addresses are skipped by circulars. */
const mailFields = {
  mailStatus: z.enum(MAIL_STATUSES),
  mailStatusDetail: z.object({ at: time, reason: z.string() }).optional().describe('when SES reported the bounce or complaint, and its reason'),
};
export const userView = z.object({ ...userFields, ...mailFields, provisioning: provisioningView });
const frontPageCredentials = z
  .object({ login: z.string(), password: z.string() })
  .optional()
  .describe('FrontPage login and password, returned once by the change that switched FrontPage on (only a hash is kept)');
export const changedUserView = z.object({ ...userFields, ...mailFields, warnings, exceeded: z.array(exceededView), frontPageCredentials });
export const createdUserView = z.object({
  ...userFields,
  ...mailFields,
  provisioning: provisioningView,
  warnings,
  exceeded: z.array(exceededView),
  password: z.string().optional().describe('the generated password, returned once'),
  registrationEmail: z
    .object({ messageId: z.string(), status: z.literal('queued') })
    .optional()
    .describe('with sendEmail: the registration e-mail, queued in the outbox (GET /outbox/{messageId})'),
  frontPageCredentials,
});
export const dryRunUserView = z.object({
  dryRun: z.boolean(),
  wouldCreate: z.object({
    ...userFields,
    username: z.null(),
    templateId: z.string().nullable(),
  }),
  exceeded: z.array(exceededView),
  warnings,
});
export const userSummaryView = z.object({
  username: z.string(),
  status: z.enum(USER_STATUSES),
  name: z.string(),
  email: z.string(),
  domains: z.array(z.string()),
  ip: z.string().nullable(),
  frontPage: z.boolean(),
  mysqlDatabases: z.number().int(),
  mysqlExternalAccess: z.boolean(),
  templateName: z.string().nullable(),
  createdAt: time,
  provisioning: provisioningView,
});
export const userPasswordView = z.object({ username: z.string(), password: z.string().optional().describe('the generated password, returned once') });

// ---- SSL
export const sslUsersView = page(z.object({ username: z.string(), ip: z.string(), ssl: certificateSummary.nullable(), sslService: z.boolean() }));
export const installedCertificateView = certificateSummary.extend({ username: z.string(), ip: z.string().nullable() });
export const certificateView = certificateSummary.extend({ username: z.string(), certificate: z.string().describe('PEM') });

// ---- billing
const resourcePrices = z.object({
  kind: z.enum(['count', 'flow', 'level']),
  free: decimal,
  setup: decimal,
  recurrent: decimal.describe('per unit per month'),
  usage: decimal.describe('per unit over the allowance'),
  periodPrices: z.record(z.string(), decimal).optional().describe('whole-period price per unit by period length in months'),
  max: decimal.optional(),
});
export const planView = z.object({
  name: z.string(),
  resources: z.record(z.string(), resourcePrices.extend({ included: z.boolean(), activeByDefault: z.boolean() })),
  trialDays: z.number().int(),
  creditLimit: decimal,
  moneyBackDays: z.number().int(),
  defaultIpType: z.enum(['shared', 'dedicated']),
  billingPeriods: z.array(z.number().int()),
});
export const storedPlanView = z.object({
  templateId: z.string(),
  plan: planView,
  pricesToday: z.record(z.string(), resourcePrices),
  priceChanges: z.array(
    z.object({
      date: day,
      prices: z.record(z.string(), z.object({ free: decimal.optional(), setup: decimal.optional(), recurrent: decimal.optional(), usage: decimal.optional() })),
    }),
  ),
  version: z.number().int(),
  updatedAt: time,
});
export const billingAccountView = z.object({
  templateId: z.string(),
  status: z.enum(['new', 'trial', 'active', 'suspended', 'closed']),
  periodMonths: z.number().int(),
  period: z.object({ start: day, end: day }).nullable(),
  trialEnd: day.nullable(),
  balance: decimal,
  creditLimit: decimal.nullable(),
  holding: z.record(z.string(), decimal),
  processedThrough: day,
});
const ledgerLine = z.object({
  id: z.string(),
  date: day,
  resource: z.string(),
  type: z.enum(['setup', 'recurrent', 'usage', 'refund', 'payment', 'adjustment']),
  quantity: decimal,
  amount: decimal,
  note: z.string().optional(),
  reference: z.string().optional().describe("a payment's or adjustment's reference (yours, or generated when none was given)"),
  pending: z.boolean().optional().describe("the open day's lines, not yet final"),
});
export const ledgerView = z.object({ lines: z.array(ledgerLine), nextCursor: cursor });
/** A payment or adjustment: the account after it, and its ledger line (the first one again for a repeated reference). */
export const recordedView = billingAccountView.extend({ line: ledgerLine.omit({ pending: true }) });
export const previewView = z.object({ date: day.nullable(), lines: z.array(ledgerLine.omit({ note: true, reference: true, pending: true })), total: decimal });

// ---- servers and settings
export const serverView = z.object({
  id: z.string(),
  name: z.string(),
  instanceId: z.string().nullable(),
  addresses: z.array(z.string()),
  capacity: z.number().int(),
  users: z.number().int(),
  isDefault: z.boolean(),
  createdAt: time,
  updatedAt: time,
});
export const serverDetailView = serverView.extend({ resellers: z.array(z.string()) });
export const serverAssignmentView = z.object({ resellerId: z.string(), serverIds: z.array(z.string()), rule: z.enum(['assigned', 'default']).optional() });
/** The page and the run of its last push to every user (shared/app/provisioning/fanout.ts). */
export const indexPageView = z.object({ html: z.string().nullable(), push: runSchema.nullable() });
export const savedIndexPageView = z.object({ html: z.string().nullable(), push: runSchema });
const skinColors = recordOf(SKIN_COLOR_NAMES, z.string());
export const skinView = z.object({ name: z.string(), basedOn: z.string(), colors: skinColors, hasLogo: z.boolean(), updatedAt: time });
export const skinDetailView = skinView.extend({ logoGif: z.string().nullable().describe('logo.gif, base64') });
export const skinsView = z.object({
  builtIn: z.array(z.enum(BUILT_IN_DESIGNS)),
  designs: z.array(z.object({ name: z.enum(BUILT_IN_DESIGNS), colors: skinColors })).describe('the built-in designs with their colours'),
  items: z.array(skinView),
});
export const helpPageView = z.object({ html: z.string() });

// ---- stats
const traffic = { totalGb: decimal, webBytes: z.number(), ftpBytes: z.number(), totalBytes: z.number() };
export const statsUsersView = z.object({
  month: z.string(),
  users: z.array(
    z.object({
      username: z.string(),
      status: z.enum(USER_STATUSES),
      name: z.string(),
      month: z.string(),
      storage: z.object({ usedKb: z.number(), usedMb: decimal, limitMb: z.number(), measuredOn: day.nullable(), exceeded: z.boolean() }),
      traffic: z.object({ limitGb: z.number(), exceeded: z.boolean(), ...traffic }),
      exceeded: z.boolean(),
    }),
  ),
  nextCursor: cursor,
});
export const statsTrafficView = z.object({
  month: z.string(),
  days: z.array(z.object({ ...traffic, day })),
  summary: z.object({ ...traffic, month: z.string() }),
  previousMonths: z.array(z.object({ ...traffic, month: z.string() })),
});
export const userStatsView = z.object({
  username: z.string(),
  month: z.string(),
  deleted: z.boolean(),
  limits: z.object({ storageMb: z.number(), trafficGb: z.number() }).nullable(),
  days: z.array(z.object({ ...traffic, diskKb: z.number().nullable(), day })),
  summary: z.object({ ...traffic, trafficExceeded: z.boolean(), diskKb: z.number().nullable(), diskMeasuredOn: day.nullable(), storageExceeded: z.boolean() }),
});

/** GET /openapi.json: an OpenAPI 3.1 document (its own schema is OpenAPI's). */
export const openApiDocumentView = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

// API clients (issue 11): the secret only in the answer that creates the client.
const scopeEnum = z.enum(SCOPE_NAMES).describe('a scope of the catalogue (shared/domain/scopes.ts)');
export const apiClientView = z.object({ clientId: z.string(), name: z.string(), scopes: z.array(scopeEnum), createdAt: z.string().describe('ISO 8601') });
export const createdApiClientView = apiClientView.extend({ clientSecret: z.string().describe('shown once, never again: keep it') });
export const apiClientsView = z.object({ items: z.array(apiClientView) });
/** RFC 6749 §5.1. */
export const clientTokenView = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('seconds'),
  scope: z.string().describe('the granted scopes, space-separated'),
});
/** RFC 6749 §5.2. */
export const oauthErrorView = z.object({
  error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope']),
  error_description: z.string().optional(),
});
