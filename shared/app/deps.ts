import type { PasswordPolicy } from '../domain/password';
import type { Clock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import type { MessageLog } from '../ports/message-log';
import type { LoginStore, ResellerRepository } from '../ports/reseller-repository';

/** Everything a use case may touch, passed in; composed once per process in adapters/compose.ts. */
export interface CoreDeps {
  clock: Clock;
  identity: Identity;
  logins: LoginStore;
  resellers: ResellerRepository;
  messages: MessageLog;
  passwordPolicy: PasswordPolicy;
  randomBytes: (n: number) => Uint8Array;
  newId: () => string;
}
