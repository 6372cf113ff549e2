import { ForbiddenError } from '../domain/errors';
import type { Principal } from '../ports/identity';

/** The tenant of a reseller request: only ever from the verified token. */
export function resellerOf(actor: Principal): string {
  if (actor.role !== 'reseller' || !actor.resellerId) throw new ForbiddenError('reseller role required');
  return actor.resellerId;
}

export function requireOperator(actor: Principal): void {
  if (actor.role !== 'operator') throw new ForbiddenError('operator role required');
}
