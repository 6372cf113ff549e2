/** The reseller's settings that provisioning uses: the index page (HTML with `##user##`). */
import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import type { ControlPanelDeps } from '../controlpanel/deps';

export async function getIndexPage(deps: ControlPanelDeps, actor: Principal) {
  return { html: await deps.provisioning.getIndexPage(resellerOf(actor)) };
}

/**
 * Stores the index page, then makes every user of the reseller pending with a new sequence (their
 * desired state contains the page). The fan-out is one conditional-free UpdateItem per user, page by
 * page; it is not one transaction with the setting (a reseller may have thousands of users), so if
 * it stops half-way, repeating the PUT (idempotent) or the operator's server re-push completes it.
 */
export async function putIndexPage(deps: ControlPanelDeps, actor: Principal, html: string | null) {
  const resellerId = resellerOf(actor);
  const at = deps.clock.now().toISOString();
  await deps.provisioning.putIndexPage(resellerId, html, at);
  let cursor: string | undefined;
  let users = 0;
  do {
    const page = await deps.users.list(resellerId, { limit: 100, cursor });
    await Promise.all(page.items.map((u) => deps.provisioning.bump(resellerId, u.username, at)));
    users += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await deps.messages.write(resellerId, { type: 'notice', text: `index page ${html === null ? 'removed' : 'changed'}; pushed to ${users} users` }, deps.clock.now());
  return { html, usersPushed: users };
}
