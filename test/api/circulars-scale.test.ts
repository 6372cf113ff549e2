import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http';
import { circularDone, eventually, sesStore, type StoredMail } from '../support/mail';
import { startRuntimeProcess, type RuntimeProcess } from '../support/runtime-process';
import { startFaultySes, type FaultySes } from '../support/ses-faults';

/**
 * A circular to 300 users on the embedded runtime in a process of its own, whose local SES lives in
 * this test (so what SES accepted outlives the runtime): once straight through, once with the
 * runtime killed (SIGKILL) halfway and started again on the same data.
 */
const USERS = 305;
const EXCLUDED = 5;
const RECIPIENTS = USERS - EXCLUDED;
const dataDir = mkdtempSync(join(tmpdir(), 'rp-mail-scale-'));
const env = {
  DATA_DIR: dataDir,
  OPERATOR_PASSWORD: 'mail-scale-operator-password',
  PASSWORD_HASH_COST_LOG2: '10',
  LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
  // No scheduler or provisioning pushes: the mail queues and the SES events feed only.
  CHILD_BACKGROUND_JOBS: 'false',
  MAIL_SEND_RATE: '60',
  // A claim whose sender was killed is taken again after 10 s; what SES accepted before the kill is
  // recorded as sent by the restarted runtime's SES events feed before any sender starts.
  MAIL_CLAIM_LEASE_SECONDS: '10',
  LOCAL_QUEUE_VISIBILITY_SECONDS: '5',
};

let ses: FaultySes;
let rt: RuntimeProcess;
let token: string;
let users: { username: string; firstName: string; email: string }[] = [];
const call = (method: string, path: string, body?: unknown, t = token) => request(rt.url, method, path, { body, token: t });
const owner = () => ({ token });
const poll = (m: string, p: string, o?: { token?: string }) => call(m, p, undefined, o?.token);

beforeAll(async () => {
  ses = await startFaultySes();
  rt = await startRuntimeProcess({ ...env, LOCAL_SES_URL: ses.url });
  const op = (await call('POST', '/auth/login', { username: 'operator', password: env.OPERATOR_PASSWORD })).body.token as string;
  const created = await call('POST', '/operator/resellers', { username: 'mailscale', password: 'mailscale-password-1', email: 'mailscale@example.com', limits: { users: 400, storageMb: 100000, trafficGb: -1 } }, op);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  token = (await call('POST', '/auth/login', { username: 'mailscale', password: 'mailscale-password-1' })).body.token as string;
  // Seeded in parallel, 25 at a time.
  for (let i = 0; i < USERS; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, USERS - i) }, async (_, k) => {
        const n = i + k;
        const personal = { firstName: `F${n}`, lastName: 'L', email: `scale${n}@example.com` };
        const res = await call('POST', '/users', { limits: { storageMb: 10 }, services: {}, personal });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return { username: res.body.username as string, firstName: personal.firstName, email: personal.email };
      }),
    );
    users.push(...batch);
  }
  users = users.sort((a, b) => a.email.localeCompare(b.email));
}, 300_000);

afterAll(async () => {
  await rt?.stop();
  await ses?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const excluded = () => users.slice(0, EXCLUDED);
const expected = () => users.slice(EXCLUDED);

/** Every recipient exactly once, with its own tags; nobody left out got one. */
function expectEachOnce(mails: StoredMail[], subject: string) {
  const byTo = new Map<string, StoredMail[]>();
  for (const m of mails) for (const to of m.destination.to) byTo.set(to, [...(byTo.get(to) ?? []), m]);
  const twice = [...byTo].filter(([, ms]) => ms.length > 1).map(([to, ms]) => `${to} x${ms.length}`);
  expect(twice).toEqual([]);
  expect(mails).toHaveLength(RECIPIENTS);
  for (const u of expected()) {
    const [m] = byTo.get(u.email) ?? [];
    expect(m, u.email).toBeDefined();
    expect(m!.subject).toBe(`${subject} for ${u.username}`);
    expect(m!.body.text).toBe(`Dear ${u.firstName}, your account ${u.username}.`);
  }
  for (const u of excluded()) expect(byTo.has(u.email), u.email).toBe(false);
}

const circular = async (subject: string) => {
  const started = Date.now();
  const res = await call('POST', '/circulars', { subject: `${subject} for ##username##`, text: 'Dear ##firstName##, your account ##username##.', exclude: excluded().map((u) => u.username) });
  return { res, ms: Date.now() - started };
};
const mailsOf = async (subject: string) => (await sesStore(ses.ses.url)).filter((m) => m.subject.startsWith(`${subject} for `));

describe(`a circular to ${RECIPIENTS} users`, () => {
  it('answers 202 at once and ends with one e-mail per recipient, tags replaced, the excluded left out', async () => {
    const { res, ms } = await circular('Straight');
    expect(res.status).toBe(202);
    expect(ms).toBeLessThan(3000);
    const done = await circularDone(owner(), res.body.id, 120_000, poll);
    expect(done).toMatchObject({ status: 'done', recipients: RECIPIENTS, sent: RECIPIENTS, failed: 0, remaining: 0, excluded: EXCLUDED });
    expectEachOnce(await mailsOf('Straight'), 'Straight');
  }, 180_000);

  it('the same with the runtime killed halfway (SIGKILL) and started again', async () => {
    const { res } = await circular('Killed');
    expect(res.status).toBe(202);
    await eventually(async () => ((await mailsOf('Killed')).length >= RECIPIENTS / 3 ? true : undefined), 60_000, 'a third sent');
    await rt.kill();
    const before = (await mailsOf('Killed')).length;
    expect(before).toBeLessThan(RECIPIENTS);

    rt = await startRuntimeProcess({ ...env, LOCAL_SES_URL: ses.url });
    // The token issued before the kill still verifies (the issuer key is kept in DATA_DIR).
    const done = await circularDone(owner(), res.body.id, 180_000, poll);
    expect(done).toMatchObject({ status: 'done', recipients: RECIPIENTS, sent: RECIPIENTS, failed: 0, remaining: 0, excluded: EXCLUDED });
    const all = await mailsOf('Killed');
    expectEachOnce(all, 'Killed');
    console.log(`killed after ${before} of ${RECIPIENTS} e-mails; restarted and finished with each once`);
  }, 300_000);
});
