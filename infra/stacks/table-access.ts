/**
 * The partition-key prefixes the functions may touch, derived from shared/adapters/dynamodb/keys.ts
 * so IAM follows the key design without a second list to maintain.
 *
 * Every key builder in `keys` is called with placeholder arguments; the partition keys it yields
 * (PK, GSI1PK, or the string a `...Partition`/`partitionOf` builder returns) are cut at their first
 * `#`: `R#<id>#MSG` gives `R#*`, `LOGIN#<name>` gives `LOGIN#*`, a key without `#` (`RESELLERS`)
 * is kept as it is. The result feeds a `ForAllValues:StringLike` condition on `dynamodb:LeadingKeys`.
 *
 * This keeps any request away from partitions the key design does not know (a typo, an injected
 * key); it cannot tell one reseller from another: a single function serves every tenant, so the
 * tenant boundary is the verified `custom:resellerId` claim and the use cases that build every key
 * from it (keys lead with `R#<resellerId>`).
 */
import { TABLE, keys } from '../../shared/adapters/dynamodb/keys';

const PLACEHOLDER = 'x';

function partitionValues(name: string, value: unknown): string[] {
  if (typeof value === 'string') return /partition/i.test(name) ? [value] : [];
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    return [v[TABLE.partitionKey], v[TABLE.gsi1.partitionKey]].filter((x): x is string => typeof x === 'string');
  }
  return [];
}

export function leadingKeyPatterns(): string[] {
  const out = new Set<string>();
  for (const [name, member] of Object.entries(keys)) {
    const values =
      typeof member === 'function'
        ? partitionValues(name, (member as (...a: string[]) => unknown)(...Array<string>(member.length).fill(PLACEHOLDER)))
        : partitionValues(name, member);
    for (const v of values) {
      const hash = v.indexOf('#');
      out.add(hash === -1 ? v : `${v.slice(0, hash + 1)}*`);
    }
  }
  return [...out].sort();
}
