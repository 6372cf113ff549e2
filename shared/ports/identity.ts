import type { Scope } from '../domain/scopes';

/** Who a verified token says the caller is. Built only from verified claims. */
export type Role = 'operator' | 'reseller';

export interface Principal {
  role: Role;
  username: string;
  /**
   * Present for resellers: the tenant every request is scoped to. For an API client it comes from
   * the verified token's `custom:resellerId` claim (local issuer) and is confirmed, or filled in
   * (Cognito's client-credentials tokens carry no custom claim), by the account gate from the
   * client's own record: never from the request.
   */
  resellerId?: string;
  /** Set only for an API client's token (client credentials grant): its client id. */
  clientId?: string;
  /** The scopes an API client's token holds; undefined for a person, who holds every reseller scope. */
  scopes?: readonly Scope[];
}

export interface Token {
  token: string;
  expiresIn: number;
}

/** What the product keeps about a login name (the LOGIN item); the secret lives with the Identity. */
export interface LoginRecord {
  username: string;
  role: Role;
  resellerId?: string;
  locked: boolean;
  passwordHash?: string;
}

/**
 * Sign-in and credentials. Two implementations: Cognito on AWS, an embedded issuer with scrypt
 * hashes in the table for the local runtime. Both issue tokens with the same claims.
 */
export interface Identity {
  /** A slow salted hash to store with the login item, or undefined where the provider keeps secrets. */
  hashForStorage(password: string): Promise<string | undefined>;
  /** Creates the login at the provider once the product's records exist (no-op locally). */
  register(login: LoginRecord, password: string): Promise<void>;
  /**
   * A token for valid credentials; undefined for any failure, whether the user exists or not.
   * 'NEW_PASSWORD_REQUIRED' when the password was right but is a one-time password (the operator
   * bootstrapped by a deploy): calling again with `newPassword` sets it and signs in.
   */
  authenticate(username: string, password: string, newPassword?: string): Promise<Token | 'NEW_PASSWORD_REQUIRED' | undefined>;
  /** True when `password` is the current one (used before a change). */
  verifyPassword(username: string, password: string): Promise<boolean>;
  setPassword(username: string, password: string): Promise<void>;
  setLocked(username: string, locked: boolean): Promise<void>;
}
