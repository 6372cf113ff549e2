/**
 * The SSM Command document that runs provision.sh on a managed hosting server. A pure function of
 * the script text: the CDK stack wraps it in a CfnDocument (documentType "Command", content = the
 * returned object), e.g.
 *   new ssm.CfnDocument(this, 'Provision', { documentType: 'Command', documentFormat: 'JSON',
 *     content: provisionDocumentContent(readProvisionScript()) })
 *
 * SSM interpolates parameter values into the script text, so only values that cannot break out of
 * it are accepted: `action` is one of two words, `state` is base64 only (no quote, no $, no space),
 * `date` is YYYY-MM-DD or empty. The script itself is embedded with a quoted here-document (no
 * expansion inside); it must contain neither `{{` (SSM's interpolation marker) nor the
 * here-document's end marker, and this function refuses a script that does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE64_PATTERN } from '../../shared/domain/provisioning/script-encoding';

export const PROVISION_SCRIPT_PATH = fileURLToPath(new URL('./provision.sh', import.meta.url));

/** The text of infra/provisioning/provision.sh. */
export function readProvisionScript(): string {
  return readFileSync(PROVISION_SCRIPT_PATH, 'utf8');
}

export const HEREDOC_MARKER = 'RESELLER_PANEL_PROVISION_SH_EOF';
/** Base64 or empty (the `report` action sends no state). */
export const STATE_PARAMETER_PATTERN = BASE64_PATTERN;
/** Base64 states separated by single spaces, or empty. */
export const STATES_PARAMETER_PATTERN = '^([A-Za-z0-9+/]+={0,2}( [A-Za-z0-9+/]+={0,2})*)?$';
export const DATE_PARAMETER_PATTERN = '^([0-9]{4}-[0-9]{2}-[0-9]{2})?$';

export interface ProvisionDocumentOptions {
  /** aws:runShellScript execution timeout (default 600 s). */
  timeoutSeconds?: number;
}

export function provisionDocumentContent(scriptText: string, options: ProvisionDocumentOptions = {}) {
  if (scriptText.includes('{{')) throw new Error('provision.sh must not contain "{{" (SSM parameter syntax)');
  if (scriptText.split('\n').some((l) => l.trim() === HEREDOC_MARKER)) {
    throw new Error(`provision.sh must not contain a line "${HEREDOC_MARKER}"`);
  }
  const script = scriptText.endsWith('\n') ? scriptText.slice(0, -1) : scriptText;
  const runCommand = [
    '#!/bin/bash',
    'set -u',
    'PROVISION_DIR=$(mktemp -d /tmp/reseller-panel-provision.XXXXXX) || { echo \'{"ok":false,"error":"temporary directory could not be created"}\'; exit 1; }',
    'trap \'rm -rf "$PROVISION_DIR"\' EXIT',
    `cat >"$PROVISION_DIR/provision.sh" <<'${HEREDOC_MARKER}'`,
    ...script.split('\n'),
    HEREDOC_MARKER,
    "PROVISION_ACTION='{{ action }}'",
    "PROVISION_STATE='{{ state }}'",
    "PROVISION_DATE='{{ date }}'",
    "PROVISION_STATES='{{ states }}'",
    'if [ "$PROVISION_ACTION" = apply-batch ]; then',
    '  bash "$PROVISION_DIR/provision.sh" apply-batch --root / --system real --states-b64 "$PROVISION_STATES"',
    'elif [ "$PROVISION_ACTION" = report ]; then',
    '  if [ -n "$PROVISION_DATE" ]; then',
    '    bash "$PROVISION_DIR/provision.sh" report --root / --system real --date "$PROVISION_DATE"',
    '  else',
    '    bash "$PROVISION_DIR/provision.sh" report --root / --system real',
    '  fi',
    'else',
    '  bash "$PROVISION_DIR/provision.sh" apply --root / --system real --state-b64 "$PROVISION_STATE"',
    'fi',
    'exit $?',
  ];
  return {
    schemaVersion: '2.2',
    description:
      'Reseller panel: converge one hosted user (apply) or many users of this server (apply-batch) to their desired state, or report disk use and traffic (report).',
    parameters: {
      action: {
        type: 'String',
        description: 'apply (one user), apply-batch (many users of this server) or report',
        allowedValues: ['apply', 'apply-batch', 'report'],
        default: 'apply',
      },
      state: {
        type: 'String',
        description: 'The desired state, base64 (see shared/domain/provisioning/script-encoding.ts); empty for report.',
        allowedPattern: STATE_PARAMETER_PATTERN,
        default: '',
      },
      states: {
        type: 'String',
        description: 'apply-batch: the desired states, base64 each, separated by one space (see shared/domain/provisioning/batch.ts).',
        allowedPattern: STATES_PARAMETER_PATTERN,
        default: '',
      },
      date: {
        type: 'String',
        description: 'The day to report, YYYY-MM-DD; empty for today (UTC).',
        allowedPattern: DATE_PARAMETER_PATTERN,
        default: '',
      },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'provision',
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: options.timeoutSeconds ?? 600,
          runCommand,
        },
      },
    ],
  };
}
