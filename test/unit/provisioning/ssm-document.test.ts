import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DATE_PARAMETER_PATTERN,
  HEREDOC_MARKER,
  provisionDocumentContent,
  readProvisionScript,
  STATE_PARAMETER_PATTERN,
  STATES_PARAMETER_PATTERN,
} from '../../../infra/provisioning/ssm-document';
import { desiredState, encodeStateForScript } from '../../../shared/domain/provisioning';

describe('provisionDocumentContent', () => {
  const script = readProvisionScript();
  const doc = provisionDocumentContent(script);
  const step = doc.mainSteps[0]!;
  const lines = step.inputs.runCommand;

  it('is a schema 2.2 aws:runShellScript document with validated parameters', () => {
    expect(doc.schemaVersion).toBe('2.2');
    expect(step.action).toBe('aws:runShellScript');
    expect(doc.parameters.action.allowedValues).toEqual(['apply', 'apply-batch', 'report']);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('embeds provision.sh verbatim in a quoted here-document', () => {
    const start = lines.indexOf(`cat >"$PROVISION_DIR/provision.sh" <<'${HEREDOC_MARKER}'`);
    const end = lines.indexOf(HEREDOC_MARKER);
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, end).join('\n') + '\n').toBe(script);
  });

  it('interpolates only the four parameters, and the patterns admit only harmless values', () => {
    const markers = lines.join('\n').match(/\{\{[^}]*\}\}/g);
    expect(markers).toEqual(['{{ action }}', '{{ state }}', '{{ date }}', '{{ states }}']);
    const states = new RegExp(STATES_PARAMETER_PATTERN);
    const one = encodeStateForScript(desiredState({ username: 'web1', resellerId: 'r', sequence: 1 }));
    expect(states.test(`${one} ${one}`)).toBe(true);
    expect(states.test('')).toBe(true);
    for (const bad of [`${one}  ${one}`, `${one} `, `${one}'`, `${one};reboot`, `${one}\n${one}`]) expect(states.test(bad), bad).toBe(false);
    const state = new RegExp(STATE_PARAMETER_PATTERN);
    expect(state.test(encodeStateForScript(desiredState({ username: 'web1', resellerId: 'r', sequence: 1, indexPage: "<p>it's</p>" })))).toBe(true);
    expect(state.test('')).toBe(true);
    for (const bad of ["abc'", 'ab cd', 'YWJj\n', '$(reboot)', 'abc']) expect(state.test(bad), bad).toBe(false);
    const date = new RegExp(DATE_PARAMETER_PATTERN);
    expect(date.test('2024-10-03')).toBe(true);
    expect(date.test('')).toBe(true);
    expect(date.test("2024-10-03'")).toBe(false);
  });

  it('refuses a script that SSM would interpolate or that would end the here-document', () => {
    expect(() => provisionDocumentContent('echo {{ x }}')).toThrow(/\{\{/);
    expect(() => provisionDocumentContent(`echo\n${HEREDOC_MARKER}\nreboot`)).toThrow(HEREDOC_MARKER);
  });

  it('runs as a shell script once SSM has filled in the parameters (root / replaced by a temp root)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ssm-doc-'));
    try {
      const b64 = encodeStateForScript(desiredState({ username: 'web5', resellerId: 'r', sequence: 1 }));
      const text = lines.join('\n')
        .replace('{{ action }}', 'apply').replace('{{ state }}', b64).replace('{{ date }}', '')
        .replaceAll('--root / --system real', `--root ${root} --system dry`);
      const r = spawnSync('bash', ['-c', text], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, username: 'web5' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs apply-batch for many users in one command, one line per state', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ssm-doc-'));
    try {
      const b64 = [5, 6, 7].map((n) => encodeStateForScript(desiredState({ username: `web${n}`, resellerId: 'r', sequence: 1 }))).join(' ');
      const text = lines.join('\n')
        .replace('{{ action }}', 'apply-batch').replace('{{ state }}', '').replace('{{ date }}', '').replace('{{ states }}', b64)
        .replaceAll('--root / --system real', `--root ${root} --system dry`);
      const r = spawnSync('bash', ['-c', text], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(out.map((l) => l.result?.username ?? l.items)).toEqual(['web5', 'web6', 'web7', 3]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
