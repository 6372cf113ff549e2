import type { SentMailEvidence, SentMailLookup } from '../../ports/mailer';

/** An e-mail in aws-ses-v2-local's store (the fields the runtime reads). */
export interface StoredEmail {
  messageId: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  headers?: { name: string; value: string }[];
  /** Unix seconds. */
  at: number;
}

/** What the local SES accepted from `sinceSeconds` (whole unix seconds) on: its `GET /store`. */
export async function readLocalSesStore(sesUrl: string, sinceSeconds: number): Promise<StoredEmail[]> {
  const res = await fetch(`${sesUrl}/store?since=${sinceSeconds}`);
  if (!res.ok) throw new Error(`GET /store answered ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

/**
 * The embedded runtime's answer to "does SES have this message?": aws-ses-v2-local keeps every
 * e-mail it accepted (`GET /store?since=<unix seconds>`) with our `X-Outbox-Ref` header. Its store
 * is in memory, so "not there" proves nothing unless that SES has been up since before the claim:
 * `upSinceMs` is when it started (the runtime's own local SES), or 0 for an SES outside the
 * runtime (LOCAL_SES_URL), which keeps its store across the runtime's restarts.
 */
export class LocalSesLookup implements SentMailLookup {
  constructor(
    private readonly sesUrl: string,
    private readonly upSinceMs: number,
  ) {}

  async find(ref: { resellerId: string; messageId: string }, sinceMs: number): Promise<SentMailEvidence> {
    // The store counts whole seconds: from the second of the claim on.
    const emails = await readLocalSesStore(this.sesUrl, Math.max(0, Math.floor(sinceMs / 1000))).catch(() => undefined);
    if (!emails) return { unknown: true };
    const want = `${ref.resellerId}/${ref.messageId}`;
    const found = emails.find((e) => e.headers?.some((h) => h.name.toLowerCase() === 'x-outbox-ref' && h.value === want));
    if (found) return { accepted: found.messageId };
    return this.upSinceMs <= sinceMs ? { absent: true } : { unknown: true };
  }
}
