import type { Scope } from '../domain/scopes';

/** What the product keeps about an API client (never its secret in clear). */
export interface ApiClientRecord {
  clientId: string;
  resellerId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  /** Only where the product checks the secret itself (the embedded runtime); Cognito keeps its own. */
  secretHash?: string;
}

/** The table's API client items: one under the reseller (its list), one global by client id (the token checks). */
export interface ApiClientStore {
  /** Both items in one transaction. */
  put(record: ApiClientRecord): Promise<void>;
  list(resellerId: string): Promise<ApiClientRecord[]>;
  /** The reseller's own client, or undefined (another reseller's answers the same). */
  get(resellerId: string, clientId: string): Promise<ApiClientRecord | undefined>;
  /** By client id alone, strongly consistent: the token endpoint and the gate of every client request. */
  lookup(clientId: string): Promise<ApiClientRecord | undefined>;
  /** Both items in one transaction; false when the client was already gone. */
  remove(resellerId: string, clientId: string): Promise<boolean>;
}

export interface IssuedClient {
  clientId: string;
  clientSecret: string;
  /** Set when the product stores the hash (local); undefined where the provider keeps the secret (Cognito). */
  secretHash?: string;
}

export interface ClientToken {
  accessToken: string;
  expiresIn: number;
  scopes: Scope[];
}

/** Why a token request is refused, as RFC 6749 §5.2 names it. */
export type TokenRefusal = 'invalid_client' | 'invalid_scope';

/**
 * Where API clients live as OAuth clients. On AWS: a Cognito app client per API client (the
 * client_credentials flow, the resource server's scopes) and Cognito's /oauth2/token; locally the
 * embedded issuer with the secret kept as a keyed hash.
 */
export interface ApiClientProvider {
  register(input: { resellerId: string; name: string; scopes: readonly Scope[] }): Promise<IssuedClient>;
  /** Removes the OAuth client; a client already gone is no error. */
  remove(clientId: string): Promise<void>;
  /**
   * A token for the client's credentials with exactly `scopes` (already checked against the record),
   * or the refusal. `record` is the product's record of the client (present: the caller checked it).
   */
  issueToken(record: ApiClientRecord, secret: string, scopes: readonly Scope[]): Promise<ClientToken | TokenRefusal>;
}
