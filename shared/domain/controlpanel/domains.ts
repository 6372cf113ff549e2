import { domainToASCII } from 'node:url';
import { isIPv4 } from 'node:net';
import * as z from 'zod';

/** node:url and node:net are pure functions (no I/O): the WHATWG IDNA mapping and an address check. */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain name as the panel stores it: lower case, ASCII, IDN labels in punycode (`bücher.de` →
 * `xn--bcher-kva.de`), at least two labels, each 1-63 letters, digits or hyphens not at either end,
 * 253 characters at most, and a top-level label that is not all digits. Returns the reason on failure.
 */
export function normalizeDomain(input: string): { name: string } | { problem: string } {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '') return { problem: 'is empty' };
  if (/[\s/:@]/.test(trimmed)) return { problem: 'is not a domain name' };
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii) return { problem: 'is not a valid (internationalized) domain name' };
  if (ascii.length > 253) return { problem: 'is longer than 253 characters' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { problem: 'needs at least two labels, e.g. example.com' };
  for (const l of labels) {
    if (!LABEL.test(l)) return { problem: `has an invalid label "${l}"` };
    if (l.startsWith('xn--') && l.length < 5) return { problem: `has an invalid label "${l}"` };
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) return { problem: 'has an all-numeric top-level label' };
  return { name: ascii };
}

export interface UserDomain {
  /** ASCII (punycode) name. */
  name: string;
  /** The panel manages the domain's DNS zone. */
  dns: boolean;
  /** The panel registered the domain (domain name registration). */
  dnr: boolean;
}

export const MAX_DOMAINS_PER_USER = 40;

export const domainInputSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(300),
  dns: z.boolean({ error: 'must be true or false' }).default(false),
  dnr: z.boolean({ error: 'must be true or false' }).default(false),
});
export type DomainInput = z.infer<typeof domainInputSchema>;

/** Normalizes a list, naming `${field}[i].name` for a bad or repeated name. */
export function normalizeDomains(list: readonly DomainInput[], field: string): { domains: UserDomain[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  const domains: UserDomain[] = [];
  list.forEach((d, i) => {
    const n = normalizeDomain(d.name);
    if ('problem' in n) {
      errors[`${field}[${i}].name`] = n.problem;
      return;
    }
    if (seen.has(n.name)) {
      errors[`${field}[${i}].name`] = 'is given twice';
      return;
    }
    seen.add(n.name);
    domains.push({ name: n.name, dns: d.dns, dnr: d.dnr });
  });
  return { domains, errors };
}

/** An exclusive address from the operator's pool: IPv4 dotted quad (IPv6 pools are not offered yet). */
export const ipSchema = z.string({ error: 'must be an IPv4 address' }).refine((s) => isIPv4(s), { error: 'must be an IPv4 address' });
