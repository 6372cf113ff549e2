import type { Clock } from '../../ports/clock';
import type { Identity, LoginRecord, Token } from '../../ports/identity';
import type { LoginStore } from '../../ports/reseller-repository';
import { claimsFor } from '../claims';
import type { LocalIssuer } from './local-issuer';
import { decoyHash, hashPassword, verifyPassword } from './password-hash';

/** The embedded identity: scrypt hashes on the login items, tokens from the local issuer. */
export class LocalIdentity implements Identity {
  constructor(
    private readonly logins: LoginStore,
    private readonly issuer: LocalIssuer,
    private readonly clock: Clock,
  ) {}

  hashForStorage(password: string): Promise<string> {
    return hashPassword(password);
  }

  async register(_login: LoginRecord, _password: string): Promise<void> {
    // The hash was stored with the login item in the same transaction: nothing more to do.
  }

  /** Local passwords are never one-time, so `newPassword` is not needed here. */
  async authenticate(username: string, password: string): Promise<Token | undefined> {
    const login = await this.logins.get(username);
    // Verify against a decoy when the name is unknown, so timing does not reveal which names exist.
    const ok = await verifyPassword(password, login?.passwordHash ?? (await decoyHash()));
    if (!login || !ok || login.locked) return undefined;
    const token = await this.issuer.sign(
      login.username,
      claimsFor({ role: login.role, username: login.username, resellerId: login.resellerId }),
      this.clock.now(),
    );
    return { token, expiresIn: this.issuer.ttlSeconds };
  }

  async verifyPassword(username: string, password: string): Promise<boolean> {
    const login = await this.logins.get(username);
    return verifyPassword(password, login?.passwordHash ?? (await decoyHash())).then((ok) => ok && !!login);
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.logins.setPasswordHash(username, await hashPassword(password));
  }

  setLocked(username: string, locked: boolean): Promise<void> {
    return this.logins.setLocked(username, locked);
  }
}
