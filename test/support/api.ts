import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { request, type ApiResponse, type RequestOptions } from './http';

export type { ApiResponse } from './http';

export const apiUrl = () => inject('apiUrl');

/** One HTTP call to the shared local server, JSON in and out. `rawBody` sends bytes as they are. */
export function api<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  return request<T>(apiUrl(), method, path, opts);
}

export async function login(username: string, password: string): Promise<string> {
  const res = await api('POST', '/auth/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

let operatorToken: Promise<string> | undefined;
export function operator(): Promise<string> {
  operatorToken ??= login('operator', inject('operatorPassword'));
  return operatorToken;
}

export const uniqueName = (prefix = 'res') => `${prefix}${randomBytes(5).toString('hex')}`;

export interface TestReseller {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** A fresh reseller with generous limits unless told otherwise, signed in. */
export async function newReseller(
  overrides: { limits?: Record<string, number>; hardLimits?: Record<string, number>; features?: unknown } = {},
): Promise<TestReseller> {
  const username = uniqueName();
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await api('POST', '/operator/resellers', {
    token: await operator(),
    body: {
      username,
      password,
      email: `${username}@example.com`,
      limits: overrides.limits ?? { users: 50, storageMb: 10000, trafficGb: -1 },
      hardLimits: overrides.hardLimits ?? {},
      ...(overrides.features ? { features: overrides.features } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`create reseller failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, username, password, token: await login(username, password) };
}

/** A random address from 10.0.0.0/8 for IP-pool tests (unique enough across a run). */
export const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${(b[2] as number) % 254 + 1}`;
};

/** The operator gives `resellerId` exclusive IP addresses. */
export async function giveIps(resellerId: string, ips: string[]): Promise<void> {
  const res = await api('POST', `/operator/resellers/${resellerId}/ips`, { token: await operator(), body: { ips } });
  if (res.status !== 201) throw new Error(`give IPs failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A hosted user of `owner` with small limits unless told otherwise; returns the 201 body. */
export async function newUser(owner: TestReseller, body: Record<string, unknown> = {}): Promise<any> {
  const res = await api('POST', '/users', {
    token: owner.token,
    body: {
      limits: { storageMb: 10 },
      services: { ftp: true, php: true },
      personal: { firstName: 'Test', lastName: 'User', email: 'test.user@example.com' },
      ...body,
    },
  });
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Waits until the provisioning worker has applied the user's latest change (`provisioning.status`
 * `applied`), so that what the reseller reads no longer changes in the background.
 */
export async function waitProvisioned(owner: TestReseller, username: string, timeoutMs = 30_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/users/${username}`, { token: owner.token });
    if (res.status === 200 && res.body.provisioning?.status === 'applied') return res.body.provisioning;
    if (Date.now() > end) throw new Error(`${username} not provisioned in ${timeoutMs} ms: ${JSON.stringify(res.body?.provisioning)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
