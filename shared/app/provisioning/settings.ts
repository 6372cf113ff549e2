/** The reseller's settings that provisioning uses: the index page (HTML with `##user##`). */
import type { Principal } from '../../ports/identity';
import { resellerOf } from '../actor';
import type { ControlPanelDeps } from '../controlpanel/deps';
import type { RunStore } from '../../ports/runs';
import type { WorkQueue } from '../../ports/work-queue';
import { runView } from '../runs/runs';
import { newRunId, startResellerPush } from './fanout';

export async function getIndexPage(deps: ControlPanelDeps & { runs: RunStore }, actor: Principal) {
  const resellerId = resellerOf(actor);
  const [html, runId] = await Promise.all([deps.provisioning.getIndexPage(resellerId), deps.provisioning.indexPagePushRun(resellerId)]);
  const run = runId ? await deps.runs.get(runId) : undefined;
  return { html, push: run ? runView(run) : null };
}

/**
 * Stores the index page (with the id of the run that pushes it), then starts that run: every user
 * of the reseller is made pending with a new sequence through the work queue (their desired state
 * carries the page), never inside this request. Answers 202 with the run; GET shows its progress.
 */
export async function putIndexPage(deps: ControlPanelDeps & { queue: WorkQueue; runs: RunStore }, actor: Principal, html: string | null) {
  const resellerId = resellerOf(actor);
  const at = deps.clock.now().toISOString();
  const runId = newRunId(deps, 'index-page');
  await deps.provisioning.putIndexPage(resellerId, html, at, runId);
  const run = await startResellerPush(deps, runId, resellerId);
  await deps.messages.write(resellerId, { type: 'notice', text: `index page ${html === null ? 'removed' : 'changed'}; every user is pushed again (run ${runId})` }, deps.clock.now());
  return { html, push: runView(run) };
}
