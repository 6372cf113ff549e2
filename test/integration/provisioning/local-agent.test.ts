import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalAgentProvisioner } from '../../../shared/adapters/local/local-agent';
import { desiredState, type DesiredState } from '../../../shared/domain/provisioning';
import type { Provisioner } from '../../../shared/ports/provisioner';
import { cleanTmpRoots, SCRIPT, tmpRoot, tree } from './helpers';

afterAll(cleanTmpRoots);

const user = (sequence: number, over: Record<string, unknown> = {}) =>
  desiredState({ username: 'web3', resellerId: 'res-9', sequence, domains: [{ name: 'shop.example', dns: true, dnr: true }],
    services: { cgi: true, standardCgi: true, webalizer: true }, indexPage: '<h1>##user##</h1>', ...over });

describe('LocalAgentProvisioner', () => {
  it('runs the same script against $DATA_DIR/servers/<serverId>/root, end to end', async () => {
    const dataDir = tmpRoot();
    const agent: Provisioner = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
    const root = path.join(dataDir, 'servers/local-1/root');

    const first = await agent.apply('local-1', user(1));
    expect(first).toMatchObject({ ok: true, serverId: 'local-1', username: 'web3', sequence: 1, stale: false });
    expect(first.ok && first.changed).toContain('mkdir /var/www/web3/cgi-bin');
    expect(readFileSync(path.join(root, 'var/www/web3/html/index.html'), 'utf8')).toBe('<h1>web3</h1>');
    expect(existsSync(path.join(root, 'var/www/web3/cgi-bin/hello.cgi'))).toBe(true);
    expect(readFileSync(path.join(root, 'etc/reseller-panel/sites/web3.conf'), 'utf8')).toContain('ServerName shop.example');

    const before = tree(root);
    expect(await agent.apply('local-1', user(1))).toMatchObject({ ok: true, changed: [] });
    expect(tree(root)).toEqual(before);

    expect(await agent.apply('local-1', user(2, { locked: true }))).toMatchObject({ ok: true, changed: expect.arrayContaining(['system lock web3']) });
    expect(await agent.apply('local-1', user(1))).toMatchObject({ ok: true, stale: true, changed: [] });

    writeFileSync(path.join(root, 'var/www/web3/log/access.log'),
      '198.51.100.1 - - [03/Oct/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 4321 "-" "curl/8"\n');
    const report = await agent.report('local-1', '2024-10-03');
    expect(report).toMatchObject({ ok: true, serverId: 'local-1', date: '2024-10-03', users: [{ username: 'web3', webBytes: 4321, ftpBytes: 0 }] });

    expect(await agent.apply('local-1', user(3, { deleted: true }))).toMatchObject({ ok: true, changed: expect.arrayContaining(['system userdel web3']) });
    expect(existsSync(path.join(root, 'var/www/web3'))).toBe(false);
    expect(existsSync(path.join(root, 'var/archive/web3-seq3.tar.gz'))).toBe(true);
  });

  it('keeps servers apart and creates each root on first use', async () => {
    const dataDir = tmpRoot();
    const agent = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
    await agent.apply('local-2', user(1));
    expect(existsSync(path.join(dataDir, 'servers/local-2/root/var/www/web3'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'servers/local-1'))).toBe(false);
    expect(await agent.report('local-7', '2024-10-03')).toMatchObject({ ok: true, users: [] });
    expect(existsSync(path.join(dataDir, 'servers/local-7/root'))).toBe(true);
  });

  it('refuses an invalid state or server id before running anything', async () => {
    const dataDir = tmpRoot();
    const agent = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
    const bad = { ...user(1), domains: [{ name: 'evil.example/../../etc', dns: true, dnr: false }] } as DesiredState;
    expect(await agent.apply('local-1', bad)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('domains[0].name') });
    expect(await agent.apply('../../etc', user(1))).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('invalid server id') });
    expect(await agent.report('local-1', 'yesterday')).toMatchObject({ ok: false, retryable: false });
    expect(tree(dataDir)).toEqual([]);
  });

  it('reports the script\'s failure message and a time-out as failed and retryable', async () => {
    const dataDir = tmpRoot();
    const agent = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
    await agent.apply('local-1', user(1));
    const cgi = path.join(dataDir, 'servers/local-1/root/var/www/web3/phptmp');
    writeFileSync(cgi, 'in the way');
    expect(await agent.apply('local-1', user(2, { services: { phpUpload: true } }))).toEqual({
      ok: false, serverId: 'local-1', error: 'directory could not be created: /var/www/web3/phptmp exists and is not a directory', retryable: true,
    });

    const slow = path.join(dataDir, 'slow.sh');
    writeFileSync(slow, 'sleep 30\n');
    const started = Date.now();
    const timedOut = await new LocalAgentProvisioner({ dataDir, scriptPath: slow, timeoutMs: 300 }).apply('local-1', user(3));
    expect(timedOut).toEqual({ ok: false, serverId: 'local-1', error: 'provisioning script timed out after 300 ms', retryable: true });
    expect(Date.now() - started).toBeLessThan(10_000);

    const missing = await new LocalAgentProvisioner({ dataDir, scriptPath: path.join(dataDir, 'nope.sh') }).apply('local-1', user(3));
    expect(missing).toMatchObject({ ok: false, retryable: true });
  });
});

describe('LocalAgentProvisioner.applyBatch', () => {
  it('converges many users of a server in one run of the script, and a failure stays on its user', async () => {
    const dataDir = tmpRoot();
    const agent = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
    const root = path.join(dataDir, 'servers/local-1/root');
    const states = [4, 5, 6].map((n) => desiredState({ username: `web${n}`, resellerId: 'res-9', sequence: 2, services: { cgi: true } }));
    // web5's cgi-bin cannot be made: a file is in its place.
    (await import('node:fs')).mkdirSync(path.join(root, 'var/www/web5'), { recursive: true });
    writeFileSync(path.join(root, 'var/www/web5/cgi-bin'), 'not a directory');
    const before = agent.commands;
    const out = await agent.applyBatch('local-1', states);
    expect(agent.commands - before).toBe(1);
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, error: expect.stringContaining('/var/www/web5/cgi-bin') });
    expect(existsSync(path.join(root, 'var/www/web4/cgi-bin'))).toBe(true);
    expect(existsSync(path.join(root, 'var/www/web6/cgi-bin'))).toBe(true);
    // One web-server reload for the whole batch, not one per user.
    const reloads = readFileSync(path.join(root, 'var/log/reseller-panel/system.log'), 'utf8').split('\n').filter((l) => l === 'reload-webserver');
    expect(reloads).toHaveLength(1);
    // Again: nothing to do for the two, and an older sequence is stale.
    const again = await agent.applyBatch('local-1', [states[0]!, { ...states[2]!, sequence: 1 }]);
    expect(again).toMatchObject([{ ok: true, changed: [] }, { ok: true, stale: true }]);
  });
});
