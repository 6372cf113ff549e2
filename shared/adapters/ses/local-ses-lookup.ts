import type { SentMailEvidence, SentMailLookup } from '../../ports/mailer';

interface StoredEmail {
  messageId: string;
  headers?: { name: string; value: string }[];
  at: number;
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
    const res = await fetch(`${this.sesUrl}/store?since=${Math.max(0, Math.floor(sinceMs / 1000))}`).catch(() => undefined);
    if (!res?.ok) return { unknown: true };
    const { emails } = (await res.json()) as { emails: StoredEmail[] };
    const want = `${ref.resellerId}/${ref.messageId}`;
    const found = emails.find((e) => e.headers?.some((h) => h.name.toLowerCase() === 'x-outbox-ref' && h.value === want));
    if (found) return { accepted: found.messageId };
    return this.upSinceMs <= sinceMs ? { absent: true } : { unknown: true };
  }
}
