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

/** The reseller's message log (the seed's General -> Messages): errors and notices, newest first. */
export interface MessageLog {
  write(resellerId: string, message: Omit<Message, 'id' | 'at'>, at: Date): Promise<Message>;
  list(resellerId: string, filter: { type?: MessageType } & PageRequest): Promise<Page<Message>>;
}
