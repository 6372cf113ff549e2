import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalAgentProvisioner } from '../../../shared/adapters/local/local-agent';
import { desiredState } from '../../../shared/domain/provisioning';
import { apply, cleanTmpRoots, SCRIPT, tmpRoot, tree } from './helpers';

afterAll(cleanTmpRoots);

const state = (sequence: number, cgi: boolean) =>
  desiredState({ username: 'web4', resellerId: 'r', sequence, services: { cgi }, cronJobs: [{ schedule: '@hourly', command: `echo ${sequence}` }] });

describe('provision.sh under concurrent and out-of-order delivery', () => {
  it('two runs for the same user at once end in the newer state, whatever their order', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = tmpRoot();
      const agent = new LocalAgentProvisioner({ dataDir, scriptPath: SCRIPT });
      const results = await Promise.all([agent.apply('s1', state(1, false)), agent.apply('s1', state(2, true)), agent.apply('s1', state(1, false))]);
      expect(results.every((r) => r.ok)).toBe(true);
      const root = agent.rootOf('s1');
      expect(readFileSync(path.join(root, 'etc/cron.d/web4'), 'utf8')).toContain('@hourly web4 echo 2');
      expect(tree(root).some((l) => l.startsWith('var/www/web4/cgi-bin d'))).toBe(true);
      expect(readFileSync(path.join(root, 'var/lib/reseller-panel/state/web4.state'), 'utf8')).toContain('sequence=2\n');
    }
  });

  it('takes over the lock of a run that died', () => {
    const root = tmpRoot();
    const lock = path.join(root, 'var/lib/reseller-panel/locks/web4.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(path.join(lock, 'pid'), '999999999\n');
    expect(apply(root, { username: 'web4', resellerId: 'r', sequence: 1 }).json.ok).toBe(true);
    expect(tree(root).some((l) => l.includes('web4.lock'))).toBe(false);
  });
});
