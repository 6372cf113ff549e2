import * as z from 'zod';

/** `limit` 1..100 (default 25) and an opaque `cursor` from a previous page. */
export const pageQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int({ error: 'must be a whole number from 1 to 100' })
    .min(1, { error: 'must be a whole number from 1 to 100' })
    .max(100, { error: 'must be a whole number from 1 to 100' })
    .default(25),
  cursor: z.string().max(2048).optional(),
});

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
});

export const idParam = (name: string, pattern: RegExp, description: string) =>
  z.strictObject({ [name]: z.string().regex(pattern, { error: `must be ${description}` }) });
