import * as z from 'zod';
import { completeResourceLimitsSchema, resourceLimitsSchema } from '../limits';
import { servicesSchema, type ResourceLimits, type Services } from './services';

/** A service package: name, the 12 limits and the service switches. Users copy it; they never refer back. */
export interface Template {
  id: string;
  name: string;
  limits: ResourceLimits;
  services: Services;
  /** The registration e-mail of users created from this template; the default one when absent. */
  registrationEmail?: RegistrationEmail;
  createdAt: string;
  updatedAt: string;
}

export interface RegistrationEmail {
  subject: string;
  text: string;
}

export const templateNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'is required' })
  .max(64, { error: 'must be at most 64 characters' })
  .refine((s) => !/[\u0000-\u001f]/.test(s), { error: 'must not contain control characters' });

export const templateInputSchema = z.strictObject({
  name: templateNameSchema,
  limits: resourceLimitsSchema.default({}),
  services: servicesSchema.default({}),
});
export type TemplateInput = z.infer<typeof templateInputSchema>;

/**
 * PUT /templates/{id} replaces the template: every one of the 12 limits must be named (a limit left
 * out is 400 naming it, never a silent 0); service switches left out are off, as on create.
 */
export const templateReplaceSchema = templateInputSchema.extend({ limits: completeResourceLimitsSchema });

export const registrationEmailSchema = z.strictObject({
  subject: z.string({ error: 'must be a string' }).trim().min(1, { error: 'is required' }).max(200),
  text: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(20_000),
});

// The tags themselves live in the one tag module (shared/domain/tags.ts).
export { MAIL_TAGS, type MailTag } from '../tags';

/** The built-in "No template / individual setting" e-mail, used until the reseller writes one. */
export const DEFAULT_REGISTRATION_EMAIL: RegistrationEmail = {
  subject: 'Your hosting account ##username##',
  text: [
    'Hello ##firstName## ##lastName##,',
    '',
    'your hosting account is ready.',
    '',
    'Username: ##username##',
    'Password: ##password##',
    'Domains: ##domains##',
    '',
    'Please change your password after the first sign-in.',
    '',
    '##reseller##',
  ].join('\n'),
};
