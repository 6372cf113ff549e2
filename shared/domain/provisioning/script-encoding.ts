/**
 * The wire form of a desired state for provision.sh, which has no JSON parser (no jq on the
 * hosting servers). The state is validated, written as `key=value` lines, and the whole text is
 * base64-encoded into ONE string, so it travels as a single SSM String parameter whose value is
 * only [A-Za-z0-9+/=] and can never break out of the script text it is interpolated into.
 *
 * Lines (UTF-8, `\n`-separated, order fixed, every value checked again by the script):
 *   format=reseller-panel-state/1
 *   username=web12                       ^web[0-9]{1,9}$
 *   reseller=<id>                        ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$
 *   sequence=<n>                         digits
 *   locked=0|1
 *   deleted=0|1
 *   ip=<address>                         empty for the shared address
 *   limit.<resource>=<n>                 one per resource, -1 unlimited
 *   service.<switch>=0|1                 one per boolean service
 *   service.backup=no|yes|upload
 *   domain=<name> <dns 0|1> <dnr 0|1>    one per domain
 *   cron=<base64 schedule> <base64 command>   one per cron job
 *   index=<base64 html>                  empty for no index page
 *   ssl=<base64 pem> <key ref> <sha256>  empty for none; the key ref names where the server
 *                                        fetches the private key (never the key itself)
 *   frontpage=<login> <htpasswd hash>    empty while FrontPage is off
 *   mysql.external=0|1
 * Free text (cron schedule and command, index page) is base64 inside the line, so no value can
 * contain a newline that would forge another line.
 */
import {
  PROVISION_RESOURCE_NAMES,
  PROVISION_SWITCH_NAMES,
  validateDesiredState,
  type DesiredState,
} from './desired-state';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The `key=value` lines (before the outer base64), useful for logs and tests. */
export function stateToScriptLines(state: DesiredState): string[] {
  validateDesiredState(state);
  const lines = [
    `format=${state.format}`,
    `username=${state.username}`,
    `reseller=${state.resellerId}`,
    `sequence=${state.sequence}`,
    `locked=${state.locked ? 1 : 0}`,
    `deleted=${state.deleted ? 1 : 0}`,
    `ip=${state.ip ?? ''}`,
  ];
  for (const name of PROVISION_RESOURCE_NAMES) lines.push(`limit.${name}=${state.limits[name]}`);
  for (const name of PROVISION_SWITCH_NAMES) lines.push(`service.${name}=${state.services[name] ? 1 : 0}`);
  lines.push(`service.backup=${state.services.backup}`);
  for (const d of state.domains) lines.push(`domain=${d.name} ${d.dns ? 1 : 0} ${d.dnr ? 1 : 0}`);
  for (const j of state.cronJobs) lines.push(`cron=${b64(j.schedule)} ${b64(j.command)}`);
  lines.push(`index=${state.indexPage === null ? '' : b64(state.indexPage)}`);
  lines.push(`ssl=${state.ssl === null ? '' : `${b64(state.ssl.certificate)} ${state.ssl.keyRef} ${state.ssl.keySha256}`}`);
  lines.push(`frontpage=${state.frontPage === null ? '' : `${state.frontPage.login} ${state.frontPage.passwordHash}`}`);
  lines.push(`mysql.external=${state.mysqlExternalAccess ? 1 : 0}`);
  return lines;
}

/** The single base64 string passed to `provision.sh apply --state-b64`. Validates first. */
export function encodeStateForScript(state: DesiredState): string {
  return b64(stateToScriptLines(state).join('\n') + '\n');
}

/** The pattern every encoded state (and the SSM parameter) matches: canonical base64. */
export const BASE64_PATTERN = '^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';
