import type { BillingWrite } from './billing-repository';
import type { CounterChange } from '../domain/controlpanel/allocation';
import type { RegistrationEmail, Template } from '../domain/controlpanel/templates';
import type { CertificateSummary, HostedUser, UserStatus } from '../domain/controlpanel/users';
import type { Reseller } from '../domain/reseller';
import type { Message } from './message-log';
import type { SingleMessage } from './outbox';
import type { WebhookEvent } from '../domain/webhooks';
import type { Page, PageRequest } from './page';

export type TemplateFields = Partial<Pick<Template, 'name' | 'limits' | 'services' | 'registrationEmail'>> & { updatedAt: string };

export interface TemplateRepository {
  /** Writes a new template and a notice in one transaction. */
  create(resellerId: string, template: Template, message: Message): Promise<void>;
  /**
   * Sets only the named fields (and a notice) in one transaction, so changes of different fields
   * (the template vs its registration e-mail) never undo each other. NotFoundError when it is gone.
   */
  update(resellerId: string, templateId: string, fields: TemplateFields, message: Message): Promise<void>;
  get(resellerId: string, templateId: string): Promise<Template | undefined>;
  list(resellerId: string, page: PageRequest): Promise<Page<Template>>;
  /** False when it did not exist. */
  delete(resellerId: string, templateId: string, message: Message): Promise<boolean>;
}

/** Reseller-wide control panel settings. */
export interface SettingsRepository {
  getDefaultRegistrationEmail(resellerId: string): Promise<RegistrationEmail | undefined>;
  putDefaultRegistrationEmail(resellerId: string, email: RegistrationEmail): Promise<void>;
  getFreeFieldLabels(resellerId: string): Promise<Record<string, string>>;
  putFreeFieldLabels(resellerId: string, labels: Record<string, string>): Promise<void>;
}

export interface CreateContext {
  reseller: Reseller;
  template?: Template;
  defaultEmail?: RegistrationEmail;
  /** The hosting servers the operator assigned to the reseller, in order (empty: the defaults). */
  serverIds: string[];
}

export interface ChangeContext {
  reseller: Reseller;
  user?: HostedUser;
  template?: Template;
}

/**
 * One change of a hosted user as a single transaction: the user item (conditioned on its version),
 * the reseller's counters (conditioned on the hard limits), domain claims, the IP of the pool, the
 * certificate, and the message that records it.
 */
export interface UserWrite {
  before?: HostedUser;
  after?: HostedUser;
  counters: CounterChange;
  domainsAdded: { name: string; field: string }[];
  domainsRemoved: string[];
  ipAssigned?: string;
  ipReleased?: string;
  deleteCertificate?: boolean;
  messages: Message[];
  /** A new user takes a slot of this server (conditioned on its capacity) and is listed under it. */
  placement?: { serverId: string };
  /**
   * Provisioning: the user's status becomes pending with a new sequence, due at `at`, in the same
   * transaction (shared/domain/provisioning/status.ts). `deleted` queues the delete for the server.
   */
  provision?: { at: string; serverId?: string; deleted?: boolean };
  /** A change of billed limits (or a delete) re-prices the user's billing account in the same transaction. */
  billing?: BillingWrite;
  /** The registration e-mail of a new user, stored in the outbox in the same transaction. */
  outbox?: SingleMessage;
  /** Webhook events of the change (user.created, user.deleted), written in the same transaction. */
  events?: WebhookEvent[];
}

export interface UserFilter extends PageRequest {
  search?: string;
  status?: UserStatus;
  domain?: string;
}

export interface UserRepository {
  /** The next `web<N>`: one atomic increment of the installation-wide sequence. */
  nextUsername(): Promise<string>;
  /** One BatchGetItem: the profile, the template (if named), the default e-mail (if wanted). */
  loadForCreate(resellerId: string, templateId: string | undefined, withDefaultEmail: boolean): Promise<CreateContext | undefined>;
  /** One BatchGetItem: the profile, the user, the template (if named). */
  loadForChange(resellerId: string, username: string, templateId?: string): Promise<ChangeContext | undefined>;
  get(resellerId: string, username: string): Promise<HostedUser | undefined>;
  /**
   * Throws HardLimitError (a counter condition), ConflictError DOMAIN_TAKEN / IP_UNAVAILABLE /
   * CONCURRENT_CHANGE / LIMITS_CHANGED. Retries transaction conflicts itself.
   */
  write(resellerId: string, w: UserWrite): Promise<void>;
  list(resellerId: string, filter: UserFilter): Promise<Page<HostedUser>>;
}

export interface PoolIp {
  ip: string;
  assignedTo: string | null;
}

export interface IpPoolRepository {
  /** Adds addresses to a reseller's pool; ConflictError naming the address taken by any reseller. */
  add(resellerId: string, ips: string[]): Promise<void>;
  list(resellerId: string, page: PageRequest): Promise<Page<PoolIp>>;
  /** NotFound when not in this pool, ConflictError when assigned to a user. */
  remove(resellerId: string, ip: string): Promise<void>;
}

export interface StoredCertificate {
  username: string;
  certificatePem: string;
  encryptedKey: string;
  summary: CertificateSummary;
  /** Where the servers fetch the key (key store reference) and its digest; absent on items stored before. */
  keyRef?: string;
  keySha256?: string;
}

export interface CertificateStore {
  /**
   * Stores the certificate and sets the summary on the user, in one transaction conditioned on the
   * user's version and IP (the certificate needs the exclusive IP the user still has).
   */
  put(resellerId: string, user: HostedUser, cert: StoredCertificate, message: Message): Promise<void>;
  get(resellerId: string, username: string): Promise<StoredCertificate | undefined>;
  remove(resellerId: string, user: HostedUser, message: Message): Promise<void>;
  /**
   * A certificate stored before the key store: records where its key now is, only if the item is
   * still that certificate (same encrypted key) without a reference. False when it changed or went.
   */
  recordKeyRef(resellerId: string, username: string, encryptedKey: string, keyRef: string, keySha256: string): Promise<boolean>;
}
