import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { TooManyAttemptsError } from '../../domain/errors';

/**
 * At most this many scrypt computations at once per process; the rest wait their turn here, not
 * in libuv's thread pool (4 threads), which token checks (WebCrypto), file and DNS work of every
 * other request need too. So a storm of sign-ins slows sign-ins, not the rest of the API.
 */
const MAX_PARALLEL_HASHES = 2;
/** Beyond this many waiting, a sign-in is refused at once (429) instead of queueing for seconds. */
const MAX_WAITING_HASHES = 64;
let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL_HASHES) {
    if (waiting.length >= MAX_WAITING_HASHES) throw new TooManyAttemptsError('too many sign-ins at once; try again in a second', 1);
    await new Promise<void>((res) => waiting.push(res));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes on
    else running--;
  }
}

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  withHashSlot(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );

/** scrypt with N=2^15, r=8, p=1 (OWASP's minimum is 2^17 for r=8 p=1 in 2024 at 64 MiB; we take
 *  2^15 to stay near 100 ms on a small Lambda and document it). The parameters travel in the hash,
 *  so they can be raised later without breaking old hashes. */
const DEFAULT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
let current = DEFAULT;

/**
 * PASSWORD_HASH_COST_LOG2 (10..15) lowers N for the test runtime only, so the suite does not
 * spend minutes in scrypt. Refused anywhere but the embedded runtime (IDENTITY_MODE=local with a
 * local DynamoDB endpoint): production keeps N=2^15.
 */
export function passwordHashCostFromEnv(env: Record<string, string | undefined>): void {
  const raw = env.PASSWORD_HASH_COST_LOG2;
  if (raw === undefined || raw === '') return;
  if (env.IDENTITY_MODE !== 'local' || !env.DYNAMODB_ENDPOINT) {
    throw new Error('PASSWORD_HASH_COST_LOG2 is for the local test runtime only; unset it');
  }
  const log2 = /^\d{2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(log2 >= 10 && log2 <= 15)) throw new Error(`PASSWORD_HASH_COST_LOG2 must be 10..15 (is ${raw})`);
  current = { ...DEFAULT, N: 2 ** log2 };
  decoy = undefined;
}

export async function hashPassword(password: string, params = current): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params.keylen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * 1024 * 1024 });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

/** A hash of nothing, verified when a login name does not exist so both answers take as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
