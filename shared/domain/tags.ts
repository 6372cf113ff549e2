/**
 * `##tag##` placeholders: the one module for every text that uses them (registration e-mails,
 * circulars, the index page). Each use has its own set of known tags; a text that names any other
 * tag is refused when it is saved or composed, naming the field, so a typo never reaches customers.
 */
import type { FieldErrors } from './errors';

/** The tags of a registration e-mail; each is replaced by the user's value at sending. */
export const MAIL_TAGS = [
  'username',
  'password',
  'firstName',
  'lastName',
  'company',
  'email',
  'domain',
  'domains',
  'template',
  'reseller',
] as const;
export type MailTag = (typeof MAIL_TAGS)[number];

/** A circular has no password to give (only its hash is kept), so `##password##` is not a circular tag. */
export const CIRCULAR_TAGS = MAIL_TAGS.filter((t) => t !== 'password') as readonly Exclude<MailTag, 'password'>[];

/** The index page (the seed's Index setup): `##user##` is the username, replaced on the hosting server. */
export const INDEX_PAGE_TAGS = ['user'] as const;

const TAG = /##([A-Za-z][A-Za-z0-9_]*)##/g;

/** Every tag used in `text`, in order, without repeats. */
export function tagsIn(text: string): string[] {
  return [...new Set([...text.matchAll(TAG)].map((m) => m[1] as string))];
}

/** Tags used in `text` that are not in `known`. */
export function unknownTags(text: string, known: readonly string[] = MAIL_TAGS): string[] {
  return tagsIn(text).filter((t) => !known.includes(t));
}

const list = (tags: readonly string[]) => tags.map((t) => `##${t}##`).join(' ');

/** The reason a text is refused, or undefined when every tag it uses is known. */
export function tagProblem(text: string, known: readonly string[]): string | undefined {
  const bad = unknownTags(text, known);
  if (!bad.length) return undefined;
  return `unknown tag${bad.length > 1 ? 's' : ''} ${bad.map((t) => `##${t}##`).join(', ')}; known: ${list(known) || 'none'}`;
}

/** Field errors for several texts at once: `{ subject: 'unknown tag ##x##; known: …' }`. */
export function tagErrors(fields: Record<string, string | null | undefined>, known: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, text] of Object.entries(fields)) {
    const problem = typeof text === 'string' ? tagProblem(text, known) : undefined;
    if (problem) errors[field] = problem;
  }
  return errors;
}

/** For zod schemas: `.superRefine(refineTags(INDEX_PAGE_TAGS))` refuses unknown tags with the same message. */
export const refineTags =
  (known: readonly string[]) =>
  (text: string | null, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }) => {
    const problem = text === null ? undefined : tagProblem(text, known);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

/** Replaces every known tag by its value (empty when there is none); unknown tags are left as they are. */
export function renderTags(text: string, values: Partial<Record<string, string>>, known: readonly string[] = MAIL_TAGS): string {
  return text.replace(TAG, (whole, tag: string) => (known.includes(tag) ? (values[tag] ?? '') : whole));
}

/** The known tags as the reseller writes them, for views that show which tags may be used. */
export const tagList = (known: readonly string[]) => known.map((t) => `##${t}##`);
