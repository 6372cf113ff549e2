import type { CoreDeps } from '../deps';
import type { BillingRepository } from '../../ports/billing-repository';
import type { CertificateStore, IpPoolRepository, SettingsRepository, TemplateRepository, UserRepository } from '../../ports/controlpanel';
import type { KeyCipher } from '../../ports/key-cipher';
import type { Mailer, SentMailLookup } from '../../ports/mailer';
import type { OutboxStore } from '../../ports/outbox';
import type { WorkQueue } from '../../ports/work-queue';
import type { MailSettings } from '../mail/deps';
import type { Message } from '../../ports/message-log';
import type { X509Tool } from '../../ports/x509';
import type { PrivateKeyStore } from '../../ports/private-key-store';
import type { ProvisioningPorts } from '../provisioning/deps';

/** What the control-panel use cases need on top of the core. */
export interface ControlPanelPorts {
  templates: TemplateRepository;
  settings: SettingsRepository;
  users: UserRepository;
  ipPool: IpPoolRepository;
  certificates: CertificateStore;
  mailer: Mailer;
  /** Whether SES has a message in doubt: only where SES can be asked (the embedded runtime's local SES). */
  sentMail?: SentMailLookup;
  keyCipher: KeyCipher;
  /** Where the servers fetch private keys (Parameter Store on AWS). */
  privateKeys: PrivateKeyStore;
  x509: X509Tool;
  /** The outbox: registration e-mails and circulars are stored messages, sent in the background. */
  outbox: OutboxStore;
  mailSettings: MailSettings;
  /** A slow salted hash of a hosted user's password. */
  hashPassword: (password: string) => Promise<string>;
}

export type ControlPanelDeps = CoreDeps & ControlPanelPorts & ProvisioningPorts & { billing: BillingRepository; queue: WorkQueue };

/** A message ready to go into a transaction with the change it records. */
export function message(deps: CoreDeps, type: Message['type'], text: string, subject?: Record<string, string>): Message {
  return { id: deps.newId(), at: deps.clock.now().toISOString(), type, text, ...(subject ? { subject } : {}) };
}
