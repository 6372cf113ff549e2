import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Scope } from '../../domain/scopes';
import type { ApiClientProvider, ApiClientRecord, ClientToken, IssuedClient, TokenRefusal } from '../../ports/api-clients';
import type { Clock } from '../../ports/clock';
import { clientClaimsFor } from '../claims';
import type { LocalIssuer } from './local-issuer';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 26 characters of [a-z0-9], like a Cognito app client id. */
export function newClientId(bytes = randomBytes(26)): string {
  return [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

/**
 * The embedded runtime's API clients: the secret is 32 random bytes (256 bits), kept only as
 * HMAC-SHA-256 under a server key of its own ($DATA_DIR/identity/client-secret-key, 0600). A slow
 * hash (scrypt) protects guessable passwords; a 256-bit random secret cannot be guessed, so a keyed
 * fast hash is enough, and a copy of the table alone cannot even test a guess. It also keeps token
 * requests out of the two scrypt slots that sign-ins share (docs/security.md).
 */
export class LocalApiClients implements ApiClientProvider {
  private constructor(
    private readonly key: Buffer,
    private readonly issuer: LocalIssuer,
    private readonly clock: Clock,
  ) {}

  static async loadOrCreate(keyFile: string, issuer: LocalIssuer, clock: Clock): Promise<LocalApiClients> {
    let key: Buffer;
    try {
      key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
      if (key.length !== 32) throw new Error(`${keyFile} is not a 32-byte key`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      key = randomBytes(32);
      await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
      try {
        await writeFile(keyFile, key.toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (w) {
        // Another process of this runtime wrote it first: take that one.
        if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
        key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
      }
    }
    return new LocalApiClients(key, issuer, clock);
  }

  private hash(secret: string): string {
    return `hmac-sha256$${createHmac('sha256', this.key).update(secret, 'utf8').digest('base64')}`;
  }

  async register(_input: { resellerId: string; name: string; scopes: readonly Scope[] }): Promise<IssuedClient> {
    const clientSecret = randomBytes(32).toString('base64url');
    return { clientId: newClientId(), clientSecret, secretHash: this.hash(clientSecret) };
  }

  async remove(_clientId: string): Promise<void> {
    // The product's records were the client: nothing else to remove.
  }

  async issueToken(record: ApiClientRecord, secret: string, scopes: readonly Scope[]): Promise<ClientToken | TokenRefusal> {
    const expected = Buffer.from(record.secretHash ?? '', 'utf8');
    const actual = Buffer.from(this.hash(secret), 'utf8');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'invalid_client';
    const accessToken = await this.issuer.sign(record.clientId, clientClaimsFor(record.clientId, record.resellerId, scopes), this.clock.now());
    return { accessToken, expiresIn: this.issuer.ttlSeconds, scopes: [...scopes] };
  }
}
