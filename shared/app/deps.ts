import type { PasswordPolicy } from '../domain/password';
import type { Clock } from '../ports/clock';
import type { Identity } from '../ports/identity';
import type { MessageLog } from '../ports/message-log';
import type { LoginStore, ResellerRepository } from '../ports/reseller-repository';
import type { LoginThrottle } from '../ports/login-throttle';
import type { AccountStatus } from '../ports/account-status';
import type { ThrottleLimits } from '../domain/login-throttle';

/** Everything a use case may touch, passed in; composed once per process in adapters/compose.ts. */
export interface CoreDeps {
  clock: Clock;
  identity: Identity;
  logins: LoginStore;
  resellers: ResellerRepository;
  messages: MessageLog;
  passwordPolicy: PasswordPolicy;
  /** Sign-in attempt counters (DynamoDB) and how many attempts a window allows. */
  loginThrottle: LoginThrottle;
  loginLimits: ThrottleLimits;
  /** The reseller's status, read on every reseller request (shared/app/auth/account-gate.ts). */
  accountStatus: AccountStatus;
  randomBytes: (n: number) => Uint8Array;
  newId: () => string;
}
