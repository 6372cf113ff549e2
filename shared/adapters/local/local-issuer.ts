import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TOKEN_AUDIENCE_LOCAL } from '../claims';

export const LOCAL_ISSUER = 'urn:reseller-panel:local-issuer';
/** No token lives longer than a day (Cognito's longest ID token): TOKEN_TTL_SECONDS is 60..86400. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/**
 * The embedded token issuer of the local runtime: ES256 keys kept under the data directory so a
 * restart keeps issued tokens valid, the same claims as Cognito's ID tokens.
 */
export class LocalIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly ttlSeconds: number,
  ) {}

  static async loadOrCreate(file: string, ttlSeconds = 3600): Promise<LocalIssuer> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
      throw new Error(`TOKEN_TTL_SECONDS must be a whole number 60..${MAX_TOKEN_LIFETIME_SECONDS} (is ${ttlSeconds})`);
    }
    let jwk: { privateJwk: JWK; publicJwk: JWK };
    try {
      jwk = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      jwk = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    return new LocalIssuer(
      (await importJWK(jwk.privateJwk, 'ES256')) as CryptoKey,
      (await importJWK(jwk.publicJwk, 'ES256')) as CryptoKey,
      ttlSeconds,
    );
  }

  sign(subject: string, claims: Record<string, unknown>, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(subject)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(TOKEN_AUDIENCE_LOCAL)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.privateKey);
  }

  /**
   * Verified claims, or undefined for a forged, expired or malformed token. Same checks as API
   * Gateway's JWT authorizer, and stricter: `exp` and `iat` are required (a correctly signed token
   * without them is refused) and no token may live longer than MAX_TOKEN_LIFETIME_SECONDS.
   */
  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: LOCAL_ISSUER,
        audience: TOKEN_AUDIENCE_LOCAL,
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: MAX_TOKEN_LIFETIME_SECONDS,
      });
      if ((payload.exp as number) - (payload.iat as number) > MAX_TOKEN_LIFETIME_SECONDS) return undefined;
      return payload as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
