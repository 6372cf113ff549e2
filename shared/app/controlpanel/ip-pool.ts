import { ValidationError } from '../../domain/errors';
import type { Principal } from '../../ports/identity';
import type { PageRequest } from '../../ports/page';
import { requireOperator, resellerOf } from '../actor';
import type { ControlPanelDeps } from './deps';

/** The operator gives a reseller exclusive IP addresses; the reseller assigns them to users. */
export async function addPoolIps(deps: ControlPanelDeps, actor: Principal, resellerId: string, ips: string[]) {
  requireOperator(actor);
  const dup = ips.findIndex((ip, i) => ips.indexOf(ip) !== i);
  if (dup >= 0) throw ValidationError.field(`ips[${dup}]`, 'is given twice');
  await deps.ipPool.add(resellerId, ips);
  await deps.messages.write(resellerId, { type: 'notice', text: `exclusive IP addresses added to your pool: ${ips.join(', ')}` }, deps.clock.now());
  return { added: ips };
}

export async function listPoolIps(deps: ControlPanelDeps, actor: Principal, resellerId: string, page: PageRequest) {
  requireOperator(actor);
  return deps.ipPool.list(resellerId, page);
}

export async function removePoolIp(deps: ControlPanelDeps, actor: Principal, resellerId: string, ip: string) {
  requireOperator(actor);
  await deps.ipPool.remove(resellerId, ip);
  await deps.messages.write(resellerId, { type: 'notice', text: `exclusive IP address ${ip} taken out of your pool` }, deps.clock.now());
}

/** The reseller's own view of its pool (the "Own IP address" drop-down). */
export function listOwnIps(deps: ControlPanelDeps, actor: Principal, page: PageRequest) {
  return deps.ipPool.list(resellerOf(actor), page);
}
