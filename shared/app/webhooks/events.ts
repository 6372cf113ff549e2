/**
 * The webhook events of a billing save (docs/webhooks.md): each goes into the account's own
 * transaction (BillingWrite.events), so a re-run that writes nothing emits nothing.
 */
import { balance, type AccountState } from '../../domain/billing/engine';
import { Dec, formatAmount } from '../../domain/billing/money';
import type { WebhookEvent } from '../../domain/webhooks';
import type { StoredAccount, StoredLine } from '../../ports/billing-repository';
import type { CoreDeps } from '../deps';
import { webhookEvent } from './deps';

export function billingEvents(
  deps: Pick<CoreDeps, 'clock' | 'newId'>,
  account: StoredAccount,
  lines: readonly StoredLine[],
  wasSuspended: boolean,
  suspended: boolean,
  state: AccountState,
): WebhookEvent[] {
  const { resellerId, username } = account;
  const out: WebhookEvent[] = [];
  const charged = lines.filter((l) => l.type !== 'payment');
  const bal = formatAmount(balance(state));
  if (charged.length) {
    const total = charged.reduce((t, l) => t.plus(new Dec(l.amount)), new Dec(0));
    out.push(
      webhookEvent(deps, resellerId, 'billing.charged', {
        username,
        lines: charged.map((l) => ({ id: l.id, date: l.date, type: l.type, resource: l.resource, quantity: l.quantity, amount: l.amount })),
        total: formatAmount(total),
        balance: bal,
      }),
    );
  }
  if (!wasSuspended && suspended) out.push(webhookEvent(deps, resellerId, 'billing.suspended', { username, reason: state.suspendedFor ?? 'suspended', balance: bal }));
  if (wasSuspended && !suspended) out.push(webhookEvent(deps, resellerId, 'billing.resumed', { username, status: state.status, balance: bal }));
  return out;
}
