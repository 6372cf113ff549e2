import type { FunctionComponent } from 'preact';
import * as general from './pages/general';
import * as operator from './pages/operator';
import * as templates from './pages/templates';
import * as users from './pages/users';
import * as billing from './pages/billing';
import * as settings from './pages/settings';
import * as stats from './pages/stats';
import { NotFoundPage } from './pages/not-found';

type Params = Record<string, string>;
type Entry = [pattern: string, component: FunctionComponent<any>];

const RESELLER: Entry[] = [
  ['/general', general.Overview],
  ['/general/password', general.ChangePassword],
  ['/general/language', general.LanguageDesign],
  ['/general/messages', general.Messages],
  ['/templates', templates.Templates],
  ['/templates/new', templates.TemplateEdit],
  ['/templates/email', templates.EmailSetup],
  ['/templates/:templateId', templates.TemplateEdit],
  ['/templates/:templateId/plan', templates.PlanWizard],
  ['/users', users.Users],
  ['/users/new', users.CreateUser],
  ['/users/circular', users.Circular],
  ['/users/frontpage', users.FrontPageList],
  ['/users/mysql', users.MysqlList],
  ['/users/ssl', users.SslList],
  ['/users/ssl/:username', users.SslEdit],
  ['/users/:username', users.UserDetail],
  ['/users/:username/billing', billing.UserBilling],
  ['/settings/skins', settings.SkinEditor],
  ['/settings/index', settings.IndexSetup],
  ['/settings/help', settings.HelpPage],
  ['/stats', stats.UserStats],
  ['/stats/traffic', stats.Traffic],
  ['/stats/users/:username', stats.UserDetailStats],
  ['/stats/service/:service', stats.ServiceStats],
];

const OPERATOR: Entry[] = [
  ['/operator/resellers', operator.Resellers],
  ['/operator/resellers/new', operator.CreateReseller],
  ['/operator/resellers/:resellerId', operator.ResellerDetail],
  ['/operator/servers', operator.Servers],
  ['/general/password', general.ChangePassword],
];

function match(pattern: string, route: string): Params | null {
  const p = pattern.split('/');
  const r = route.split('/');
  if (p.length !== r.length) return null;
  const params: Params = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = r[i]!;
    else if (seg !== r[i]) return null;
  }
  return params;
}

/** The page of a hash route; literal segments win over parameters (`/users/new` before `/users/:username`). */
export function routeFor(route: string, role: 'operator' | 'reseller'): { component: FunctionComponent<any>; params: Record<string, unknown> } {
  const table = role === 'operator' ? OPERATOR : RESELLER;
  const home = role === 'operator' ? '/operator/resellers' : '/general';
  const [rawPath = '/', search = ''] = route.split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const path = rawPath === '/' ? home : rawPath.replace(/\/$/, '');
  const literal = table.find(([p]) => !p.includes(':') && p === path);
  if (literal) return { component: literal[1], params: { query } };
  for (const [p, c] of table) {
    const params = match(p, path);
    if (params) return { component: c, params: { ...params, query } };
  }
  return { component: NotFoundPage, params: {} };
}
