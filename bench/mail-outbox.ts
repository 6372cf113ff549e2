/**
 * The outbox's send rate against the local SES's raw SendEmail rate in the same run (docs/mail.md):
 * - raw: SendEmail through the same SES v2 adapter, one after another and 4 at once (the local
 *   poller runs up to 4 send batches at once);
 * - outbox, unpaced: a circular to N users (BENCH_MAIL_USERS, default 300) from POST /circulars to
 *   `done`, through the fan-out and send queues, with the pacer out of the way: what the outbox
 *   itself costs per e-mail (claim, daily slot, render, send, record) and its DynamoDB round trips;
 * - outbox, paced: a smaller circular at the default MAIL_SEND_RATE (14/s, SES's default quota),
 *   to show the pacer holds the configured rate.
 * `npx tsx bench/mail-outbox.ts` runs this part alone on a runtime of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRuntime, type Runtime } from '../infra/local/runtime';
import { mailerFromEnv } from '../shared/adapters/ses/mailer-from-env';
import { createUser } from '../shared/app/controlpanel/users';
import { SendPacer } from '../shared/domain/mail/pace';
import type { Principal } from '../shared/ports/identity';
import { httpCall, round, type BenchResult } from './lib';

export async function runMailOutboxBench(rt: Runtime, operatorToken: string): Promise<BenchResult[]> {
  const N = Number(process.env.BENCH_MAIL_USERS ?? 300);
  const PACED = Number(process.env.BENCH_MAIL_PACED ?? 70);
  const { deps, url } = rt;
  const results: BenchResult[] = [];

  // Raw SendEmail rate of the local SES through the same adapter and client settings.
  const mailer = mailerFromEnv({ SES_ENDPOINT: rt.sesUrl });
  const raw = async (n: number, parallel: number) => {
    await mailer.send({ to: ['warm@example.com'], subject: 'warm', text: 'x' });
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < n) {
          const i = next++;
          await mailer.send({ to: [`raw${i}@example.com`], subject: `raw ${i}`, text: 'Dear someone, a raw SendEmail.', ref: { resellerId: 'bench', messageId: `m-raw${i}` } });
        }
      }),
    );
    return (n * 1000) / (performance.now() - t);
  };
  const raw1 = await raw(N, 1);
  const raw4 = await raw(N, 4);
  results.push({ name: 'raw local SES SendEmail', figures: { n: N, one_at_a_time_per_s: round(raw1, 1), four_at_once_per_s: round(raw4, 1) } });

  // A reseller with N users (setup, not measured: the real create, password hashing skipped).
  const username = `benchmail${Date.now() % 100000}`;
  const created = await httpCall(url, 'POST', '/operator/resellers', operatorToken, {
    username, password: 'bench-mail-password', email: `${username}@example.com`, limits: { users: -1, storageMb: -1, trafficGb: -1 },
  });
  if (created.status !== 201) throw new Error(`reseller: ${created.status} ${JSON.stringify(created.body)}`);
  const token = (await httpCall(url, 'POST', '/auth/login', '', { username, password: 'bench-mail-password' })).body.token as string;
  const actor = { role: 'reseller', username, resellerId: created.body.id } as Principal;
  const fast = { ...deps, hashPassword: async () => 'bench-hash' };
  const usernames: string[] = [];
  for (let i = 0; i < N; i += 20) {
    const made = await Promise.all(
      Array.from({ length: Math.min(20, N - i) }, (_, k) =>
        createUser(fast, actor, { personal: { firstName: `B${i + k}`, lastName: 'M', email: `bm${i + k}@example.com` }, limits: { storageMb: 10 }, services: {} } as never),
      ),
    );
    usernames.push(...made.map((m) => (m as { username: string }).username));
  }

  const circular = async (subject: string, exclude: string[] = []) => {
    const trips = deps.roundTrips.count;
    const t = performance.now();
    const res = await httpCall(url, 'POST', '/circulars', token, { subject, text: 'Dear ##firstName##, about ##username##.', exclude });
    if (res.status !== 202) throw new Error(`POST /circulars: ${res.status} ${JSON.stringify(res.body)}`);
    const accepted = performance.now() - t;
    let fanoutS = 0;
    for (;;) {
      const head = await deps.outbox.getCircular(created.body.id, res.body.id);
      if (head?.fanoutDone && !fanoutS) fanoutS = (performance.now() - t) / 1000;
      if (head && head.fanoutDone && head.sent + head.failed >= head.recipients) {
        const s = (performance.now() - t) / 1000;
        return { sent: head.sent, failed: head.failed, seconds: s, fanoutS, acceptedMs: accepted, trips: deps.roundTrips.count - trips };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const settings = deps.mailSettings;
  const configured = settings.pacer;
  rt.poller.start();
  try {
    // Unpaced: the outbox's own cost per e-mail, with one send at a time per batch and with the default parallelism.
    settings.pacer = new SendPacer(1_000_000);
    const parallelDefault = settings.sendParallel;
    for (const parallel of [1, parallelDefault]) {
      settings.sendParallel = parallel;
      const run = await circular(`Bench unpaced ${parallel}`);
      results.push({
        name: `outbox circular to ${N} users, unpaced, ${parallel} at once`,
        figures: {
          sent: run.sent,
          failed: run.failed,
          post_202_ms: round(run.acceptedMs, 1),
          fanout_done_s: round(run.fanoutS, 1),
          total_s: round(run.seconds, 1),
          mails_per_s: round(run.sent / run.seconds, 1),
          vs_raw_one_at_a_time: round(run.sent / run.seconds / raw1, 2),
          vs_raw_four_at_once: round(run.sent / run.seconds / raw4, 2),
          dynamodb_round_trips_per_mail: round(run.trips / Math.max(1, run.sent), 2),
        },
      });
    }
    settings.sendParallel = parallelDefault;
    // Paced at the configured rate (14/s by default): the rest of the users left out.
    settings.pacer = configured;
    const exclude = usernames.slice(PACED);
    const paced = await circular('Bench paced', exclude);
    results.push({
      name: `outbox circular to ${PACED} users, paced`,
      figures: { sent: paced.sent, mails_per_s: round(paced.sent / paced.seconds, 1), configured_rate_per_s: 'MAIL_SEND_RATE (default 14)' },
    });
  } finally {
    settings.pacer = configured;
    await rt.poller.stop();
  }
  return results;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rp-bench-mail-'));
  const rt = await startRuntime({ dataDir, port: 0, sesPort: 0, dynamoPort: 0, inMemory: true, operatorPassword: 'bench-operator-password', backgroundJobs: false });
  try {
    const op = (await httpCall(rt.url, 'POST', '/auth/login', '', { username: 'operator', password: 'bench-operator-password' })).body.token as string;
    for (const r of await runMailOutboxBench(rt, op)) {
      console.log(`${r.name.padEnd(44)} ${Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join('  ')}`);
    }
  } finally {
    await rt.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
