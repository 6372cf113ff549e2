import type { Page, PageRequest } from './page';

export type MessageType = 'error' | 'notice';

export interface Message {
  id: string;
  at: string;
  type: MessageType;
  text: string;
  /** What the message is about, e.g. { user: 'web3' }. */
  subject?: Record<string, string>;
}

/**
 * The operator's own message log (background work that failed for the whole installation, e.g. a
 * server whose usage could not be collected): kept like a reseller's, under this id, which no
 * reseller id can take (reseller ids are letters and digits). Read with GET /operator/messages.
 */
export const OPERATOR_LOG = '~operator';

/** The reseller's message log (the seed's General -> Messages): errors and notices, newest first. */
export interface MessageLog {
  write(resellerId: string, message: Omit<Message, 'id' | 'at'>, at: Date): Promise<Message>;
  list(resellerId: string, filter: { type?: MessageType } & PageRequest): Promise<Page<Message>>;
}
