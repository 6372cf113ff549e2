/**
 * FrontPage credentials (the seed: a FrontPage login is issued when FrontPage is switched on).
 * The password is generated (about 116 bits), shown once in the response of the change that
 * switched FrontPage on, and never stored: the user item and the desired state keep only the
 * htpasswd entry the web server checks. Apache's `{SHA}` format (unsalted SHA-1) is enough for a
 * random secret of that size (salts and slow hashes protect guessable, human-chosen passwords; a
 * 116-bit random one cannot be guessed) and every Apache build reads it. Switching FrontPage off
 * drops the entry; switching it on again issues new credentials.
 */
import { createHash } from 'node:crypto';
import { generatePassword } from '../password';

export interface FrontPageLogin {
  login: string;
  /** `{SHA}` + base64 SHA-1 of the password (htpasswd). */
  passwordHash: string;
}

export const frontPageLoginOf = (username: string) => `${username}-fp`;

export const htpasswdSha = (password: string) => `{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`;

/** New credentials: what is stored (login and hash) and what is shown once (login and password). */
export function issueFrontPageLogin(username: string, randomBytes: (n: number) => Uint8Array) {
  const password = generatePassword(randomBytes);
  const login = frontPageLoginOf(username);
  return { stored: { login, passwordHash: htpasswdSha(password) } as FrontPageLogin, shown: { login, password } };
}
