import * as z from 'zod';
import { HOSTED_USERNAME } from '../controlpanel/users';
import { CIRCULAR_TAGS, tagProblem } from '../tags';

/**
 * The text of one outbox message is kept in one DynamoDB item (400 KB), so a circular's text is
 * limited to 200 KB of UTF-8, far below SES's own limit for a whole message (10 MB, 40 MB on the
 * v2 API). Tags are replaced by short values (at most a few KB), so a text that fits here fits SES.
 */
export const MAX_TEXT_BYTES = 200 * 1024;
/** SES refuses line breaks in a subject; RFC 5322 lines stay under 998 characters. */
export const MAX_SUBJECT_CHARS = 200;
/** Users left out of one circular (checked to be the reseller's users with one BatchGetItem per 100). */
export const MAX_EXCLUDED = 1000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const mailSubjectSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'is required' })
  .max(MAX_SUBJECT_CHARS, { error: `must be at most ${MAX_SUBJECT_CHARS} characters` })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'must be one line without control characters' });

export const mailTextSchema = z
  .string({ error: 'must be a string' })
  .refine((s) => s.trim().length > 0, { error: 'is required' })
  .refine((s) => bytes(s) <= MAX_TEXT_BYTES, { error: `must be at most ${MAX_TEXT_BYTES} bytes (UTF-8)` })
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { error: 'must not contain control characters other than line breaks and tabs' });

/** Step 1 (compose) and step 3 (send to the reviewed recipients): subject, text with ##tags##, the users left out. */
export const circularInputSchema = z
  .strictObject({
    subject: mailSubjectSchema,
    text: mailTextSchema,
    exclude: z
      .array(z.string({ error: 'must be a hosted username' }).regex(HOSTED_USERNAME, { error: 'must be a hosted username (web<N>)' }))
      .max(MAX_EXCLUDED, { error: `at most ${MAX_EXCLUDED} users` })
      .default([]),
  })
  .superRefine((c, ctx) => {
    for (const field of ['subject', 'text'] as const) {
      const problem = tagProblem(c[field], CIRCULAR_TAGS);
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
    const seen = new Set<string>();
    c.exclude.forEach((u, i) => {
      if (seen.has(u)) ctx.addIssue({ code: 'custom', path: ['exclude', i], message: 'is listed twice' });
      seen.add(u);
    });
  });
export type CircularInput = z.infer<typeof circularInputSchema>;

export interface Circular {
  id: string;
  subject: string;
  text: string;
  exclude: string[];
  createdAt: string;
  /** Fan-out: pages of users turned into recipients so far, and whether the last page is done. */
  pages: number;
  fanoutDone: boolean;
  /** Recipients written so far; sent + failed + remaining = recipients. */
  recipients: number;
  sent: number;
  failed: number;
  /** Users left out because SES reported their address as bounced or complaining. */
  skipped: number;
  /** Users the reseller left out (those that still existed when the fan-out reached them). */
  excluded: number;
}

/** What the senders read: the circular's content. */
export type CircularBody = Pick<Circular, 'subject' | 'text' | 'exclude'>;
/** What the counters item holds. */
export type CircularHead = Omit<Circular, 'text' | 'exclude'> & { doneNoticed?: boolean };

export type CircularStatus = 'preparing' | 'sending' | 'done';

export function circularStatus(c: Pick<Circular, 'fanoutDone' | 'recipients' | 'sent' | 'failed'>): CircularStatus {
  if (!c.fanoutDone) return 'preparing';
  return c.sent + c.failed >= c.recipients ? 'done' : 'sending';
}

export function circularView(c: CircularHead) {
  return {
    id: c.id,
    subject: c.subject,
    status: circularStatus(c),
    createdAt: c.createdAt,
    recipients: c.recipients,
    sent: c.sent,
    failed: c.failed,
    remaining: c.recipients - c.sent - c.failed,
    skipped: c.skipped,
    excluded: c.excluded,
  };
}

/**
 * Circular ids sort by creation time (newest first in the list): 9 base-36 digits of milliseconds,
 * then randomness.
 */
export const circularId = (nowMs: number, random: string) => `${nowMs.toString(36).padStart(9, '0')}${random.slice(0, 11)}`;
