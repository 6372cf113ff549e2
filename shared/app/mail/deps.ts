import type { CoreDeps } from '../deps';
import type { UserRepository } from '../../ports/controlpanel';
import type { KeyCipher } from '../../ports/key-cipher';
import type { Mailer, SentMailLookup } from '../../ports/mailer';
import type { OutboxStore } from '../../ports/outbox';
import type { WorkQueue } from '../../ports/work-queue';
import { DEFAULT_RETRY, type RetryPolicy } from '../../domain/mail/outbox';
import { processRate, SendPacer } from '../../domain/mail/pace';

/** The work queues of mail (infra/queues-manifest.ts): fan-out pages of a circular, and sends. */
export const MAIL_FANOUT_QUEUE = 'mail-fanout';
export const MAIL_SEND_QUEUE = 'mail-send';

export interface MailSettings {
  /** The pacer of this process (MAIL_SEND_RATE over MAIL_SEND_PROCESSES). */
  pacer: SendPacer;
  /** Circular mails per reseller and UTC day (MAIL_DAILY_CAP_PER_RESELLER); more wait for the next day. */
  dailyCapPerReseller: number;
  /** How often mail held back by the cap looks again whether the day has turned (MAIL_CAP_RECHECK_SECONDS, ≤ 900). */
  capRecheckSeconds: number;
  /** A claim older than this is a sender that died or lost SES's answer: in doubt (MAIL_CLAIM_LEASE_SECONDS). */
  leaseSeconds: number;
  /**
   * After the lease, how long SES's Send event is waited for when nobody can tell whether SES has a
   * message in doubt; after that it ends failed as unconfirmed (MAIL_CONFIRM_WAIT_SECONDS).
   */
  confirmWaitSeconds: number;
  /** The longest one SES call takes (the mailer's request timeout): a sender starts one only if it ends inside its lease. */
  sesCallMs: number;
  retry: RetryPolicy;
  /** Users per fan-out page (one transaction: page + recipients + counters ≤ 100 items). */
  fanoutPageSize: number;
  /** Sends one sender process runs at once, all within its pacer's rate (MAIL_SEND_PARALLEL). */
  sendParallel: number;
  /** Recipients per send message. */
  sendChunk: number;
  /** How long a message enqueued before its outbox item was written is waited for (the request may still be writing it). */
  missingGraceSeconds: number;
}

/**
 * SES client timeouts (ses/mailer-from-env.ts). The request timeout runs from the start of the
 * request, so it bounds the whole call, connection included.
 */
export const SES_REQUEST_TIMEOUT_MS = 5000;
export const SES_CONNECTION_TIMEOUT_MS = 2000;

export function mailSettingsFromEnv(env: Record<string, string | undefined>): MailSettings {
  const num = (name: string, dflt: number, min: number) => {
    const v = env[name] === undefined || env[name] === '' ? dflt : Number(env[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number of at least ${min}`);
    return v;
  };
  return {
    pacer: new SendPacer(processRate(num('MAIL_SEND_RATE', 14, 0.01), num('MAIL_SEND_PROCESSES', 1, 1))),
    dailyCapPerReseller: num('MAIL_DAILY_CAP_PER_RESELLER', 10_000, 1),
    capRecheckSeconds: Math.min(900, num('MAIL_CAP_RECHECK_SECONDS', 900, 1)),
    leaseSeconds: num('MAIL_CLAIM_LEASE_SECONDS', 60, 1),
    confirmWaitSeconds: num('MAIL_CONFIRM_WAIT_SECONDS', 900, 0),
    sesCallMs: SES_REQUEST_TIMEOUT_MS,
    retry: {
      maxAttempts: num('MAIL_MAX_ATTEMPTS', DEFAULT_RETRY.maxAttempts, 1),
      baseSeconds: num('MAIL_RETRY_BASE_SECONDS', DEFAULT_RETRY.baseSeconds, 0),
      maxSeconds: DEFAULT_RETRY.maxSeconds,
    },
    sendParallel: Math.floor(num('MAIL_SEND_PARALLEL', 4, 1)),
    fanoutPageSize: 50,
    sendChunk: 10,
    missingGraceSeconds: 120,
  };
}

/** What the mail use cases need. */
export type MailDeps = CoreDeps & {
  outbox: OutboxStore;
  mailer: Mailer;
  /** Whether SES has a message in doubt; absent on AWS (SES cannot be asked), the local SES in the embedded runtime. */
  sentMail?: SentMailLookup;
  queue: WorkQueue;
  keyCipher: KeyCipher;
  users: UserRepository;
  mailSettings: MailSettings;
};

/** Queue bodies. `enqueuedAt` (ms) lets a consumer tell "not written yet" from "never written". */
export interface SendWork {
  resellerId: string;
  ids: string[];
  enqueuedAt: number;
}
export interface FanoutWork {
  resellerId: string;
  circularId: string;
  n: number;
  cursor: string | null;
  enqueuedAt: number;
}

/** The key-cipher context of a stored mail text: a ciphertext moved to another message does not decrypt. */
export const textContext = (resellerId: string, messageId: string) => ({ resellerId, outboxMessage: messageId });
