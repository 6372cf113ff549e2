import { checkAgainstReseller, checkServiceRules, fullLimits, fullServices } from '../../domain/controlpanel/services';
import {
  DEFAULT_REGISTRATION_EMAIL,
  type RegistrationEmail,
  type Template,
  type TemplateInput,
} from '../../domain/controlpanel/templates';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { MAIL_TAGS, tagErrors, tagList } from '../../domain/tags';
import type { Principal } from '../../ports/identity';
import type { PageRequest } from '../../ports/page';
import { resellerOf } from '../actor';
import { message, type ControlPanelDeps } from './deps';

async function validated(deps: ControlPanelDeps, resellerId: string, input: TemplateInput) {
  const reseller = await deps.resellers.get(resellerId);
  if (!reseller) throw new NotFoundError('account not found');
  const limits = fullLimits(input.limits);
  const services = fullServices(input.services);
  const errors = { ...checkAgainstReseller({ limits: input.limits, services: input.services }, reseller), ...checkServiceRules({ limits, services }).errors };
  if (Object.keys(errors).length) throw new ValidationError('the template is not valid for your account', errors);
  return { limits, services, warnings: checkServiceRules({ limits, services }).warnings };
}

const view = (t: Template, warnings: string[] = []) => {
  const { registrationEmail: _e, ...rest } = t;
  return { ...rest, ...(warnings.length ? { warnings } : {}) };
};

export async function createTemplate(deps: ControlPanelDeps, actor: Principal, input: TemplateInput) {
  const resellerId = resellerOf(actor);
  const { limits, services, warnings } = await validated(deps, resellerId, input);
  const now = deps.clock.now().toISOString();
  const t: Template = { id: `t${deps.newId()}`, name: input.name, limits, services, createdAt: now, updatedAt: now };
  await deps.templates.create(resellerId, t, message(deps, 'notice', `template "${t.name}" created`, { template: t.id }));
  return view(t, warnings);
}

export async function listTemplates(deps: ControlPanelDeps, actor: Principal, page: PageRequest) {
  const out = await deps.templates.list(resellerOf(actor), page);
  return { items: out.items.map((t) => view(t)), nextCursor: out.nextCursor };
}

async function load(deps: ControlPanelDeps, resellerId: string, id: string): Promise<Template> {
  const t = await deps.templates.get(resellerId, id);
  if (!t) throw new NotFoundError('template not found');
  return t;
}

export async function getTemplate(deps: ControlPanelDeps, actor: Principal, id: string) {
  return view(await load(deps, resellerOf(actor), id));
}

/** Replaces the template. Users created from it keep their copy (the seed). */
export async function replaceTemplate(deps: ControlPanelDeps, actor: Principal, id: string, input: TemplateInput) {
  const resellerId = resellerOf(actor);
  const current = await load(deps, resellerId, id);
  const { limits, services, warnings } = await validated(deps, resellerId, input);
  const t: Template = { ...current, name: input.name, limits, services, updatedAt: deps.clock.now().toISOString() };
  // Only the fields PUT replaces: a concurrent change of the registration e-mail stays.
  await deps.templates.update(resellerId, id, { name: t.name, limits, services, updatedAt: t.updatedAt }, message(deps, 'notice', `template "${t.name}" changed`, { template: t.id }));
  return view(t, warnings);
}

export async function deleteTemplate(deps: ControlPanelDeps, actor: Principal, id: string): Promise<void> {
  const resellerId = resellerOf(actor);
  const ok = await deps.templates.delete(resellerId, id, message(deps, 'notice', `template ${id} deleted`, { template: id }));
  if (!ok) throw new NotFoundError('template not found');
}

function checkEmail(input: RegistrationEmail) {
  const errors = tagErrors({ subject: input.subject, text: input.text }, MAIL_TAGS);
  if (Object.keys(errors).length) throw new ValidationError('the e-mail uses unknown tags', errors);
}

const emailView = (e: RegistrationEmail, isDefault: boolean) => ({ ...e, isDefault, tags: tagList(MAIL_TAGS) });

/** E-mail setup per template (the seed); the template's e-mail is part of the template item. */
export async function getTemplateEmail(deps: ControlPanelDeps, actor: Principal, id: string) {
  const t = await load(deps, resellerOf(actor), id);
  return emailView(t.registrationEmail ?? DEFAULT_REGISTRATION_EMAIL, !t.registrationEmail);
}

export async function putTemplateEmail(deps: ControlPanelDeps, actor: Principal, id: string, input: RegistrationEmail) {
  const resellerId = resellerOf(actor);
  const t = await load(deps, resellerId, id);
  checkEmail(input);
  await deps.templates.update(
    resellerId,
    id,
    { registrationEmail: input, updatedAt: deps.clock.now().toISOString() },
    message(deps, 'notice', `registration e-mail of template "${t.name}" changed`, { template: id }),
  );
  return emailView(input, false);
}

/** "No template / individual setting": the e-mail for users created without a template. */
export async function getDefaultEmail(deps: ControlPanelDeps, actor: Principal) {
  const e = await deps.settings.getDefaultRegistrationEmail(resellerOf(actor));
  return emailView(e ?? DEFAULT_REGISTRATION_EMAIL, !e);
}

export async function putDefaultEmail(deps: ControlPanelDeps, actor: Principal, input: RegistrationEmail) {
  const resellerId = resellerOf(actor);
  checkEmail(input);
  await deps.settings.putDefaultRegistrationEmail(resellerId, input);
  await deps.messages.write(resellerId, { type: 'notice', text: 'default registration e-mail changed' }, deps.clock.now());
  return emailView(input, false);
}

export async function getFreeFieldLabels(deps: ControlPanelDeps, actor: Principal) {
  return { labels: await deps.settings.getFreeFieldLabels(resellerOf(actor)) };
}

export async function putFreeFieldLabels(deps: ControlPanelDeps, actor: Principal, labels: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  await deps.settings.putFreeFieldLabels(resellerOf(actor), clean);
  return { labels: clean };
}
