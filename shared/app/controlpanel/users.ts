import { domainToASCII } from 'node:url';
import {
  allocationDelta,
  counterChange,
  exceededMaximums,
  exceededText,
  type CounterChange,
  type Exceeded,
} from '../../domain/controlpanel/allocation';
import { normalizeDomain, normalizeDomains, type UserDomain } from '../../domain/controlpanel/domains';
import { checkAgainstReseller, checkServiceRules, fullLimits, fullServices, type ResourceLimits, type Services } from '../../domain/controlpanel/services';
import { DEFAULT_REGISTRATION_EMAIL } from '../../domain/controlpanel/templates';
import { queueRegistrationEmail } from '../mail/registration';
import {
  personalSchema,
  userSummary,
  userView,
  type ChangeUserInput,
  type CreateUserInput,
  type HostedUser,
  type UserStatus,
} from '../../domain/controlpanel/users';
import { RESOURCE_NAMES, SERVICE_NAMES } from '../../domain/catalog';
import { ConcurrentChangeError, ConflictError, HardLimitError, NotFoundError, ValidationError, type FieldErrors } from '../../domain/errors';
import { generatePassword, passwordProblem } from '../../domain/password';
import { issueFrontPageLogin } from '../../domain/controlpanel/frontpage';
import type { Reseller } from '../../domain/reseller';
import type { ChangeContext, UserWrite } from '../../ports/controlpanel';
import type { Principal } from '../../ports/identity';
import type { Message } from '../../ports/message-log';
import type { PageRequest } from '../../ports/page';
import { resellerOf } from '../actor';
import { message, type ControlPanelDeps } from './deps';
import { provisioningView } from '../../domain/provisioning/status';
import { chooseServer } from '../provisioning/placement';
import { closeForDeletedUser, holdingChangeForLimits } from '../billing/panel-holding';
import { StaleAccountError } from '../../ports/billing-repository';
import { webhookEvent } from '../webhooks/deps';

const fail = (message: string, errors: FieldErrors) => {
  if (Object.keys(errors).length) throw new ValidationError(message, errors);
};

/** Counter conditions for a delta; a refusal is written to the message log as an error. */
async function guard(deps: ControlPanelDeps, reseller: Reseller, delta: Record<string, number>, what: string, log: boolean): Promise<CounterChange> {
  try {
    return counterChange(delta, reseller);
  } catch (e) {
    if (e instanceof HardLimitError && log) await logRefusal(deps, reseller.id, what, e);
    throw e;
  }
}

async function logRefusal(deps: ControlPanelDeps, resellerId: string, what: string, e: HardLimitError) {
  await deps.messages
    .write(resellerId, { type: 'error', text: `${what} refused: ${Object.entries(e.fields ?? {}).map(([f, r]) => `${f} ${r}`).join('; ')}` }, deps.clock.now())
    .catch(() => undefined);
}

/** Writes through the repository; a hard-limit refusal found by the transaction is logged as an error too. */
async function commit(deps: ControlPanelDeps, resellerId: string, w: UserWrite, what: string) {
  try {
    await deps.users.write(resellerId, w);
  } catch (e) {
    if (e instanceof HardLimitError) await logRefusal(deps, resellerId, what, e);
    throw e;
  }
}

function exceededMessages(deps: ControlPanelDeps, exceeded: Exceeded[], username: string): Message[] {
  return exceeded.length
    ? [message(deps, 'notice', `maximum exceeded by ${username}: ${exceededText(exceeded)}`, { user: username })]
    : [];
}

/**
 * Create user: the seed's five steps as one request.
 *
 * DynamoDB round trips of a successful create: 1 BatchGetItem (profile + template + default e-mail),
 * 1 UpdateItem (the web<N> sequence), 1 TransactWriteItems (counters + user + owner + domains + IP +
 * messages). A dry run makes only the BatchGetItem.
 */
export async function createUser(deps: ControlPanelDeps, actor: Principal, input: CreateUserInput, dryRun = false) {
  const resellerId = resellerOf(actor);
  const errors: FieldErrors = {};
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, deps.passwordPolicy);
    if (problem) errors.password = problem;
  }
  const { domains, errors: domainErrors } = normalizeDomains(input.domains ?? [], 'domains');
  Object.assign(errors, domainErrors);
  fail('the user is not valid', errors);

  const ctx = await deps.users.loadForCreate(resellerId, input.template, !!input.sendEmail && !input.template && !dryRun);
  if (!ctx) throw new NotFoundError('account not found');
  const { reseller, template } = ctx;
  if (input.template && !template) throw ValidationError.field('template', 'is not one of your templates');

  const limits = fullLimits(template?.limits, input.limits);
  const services = fullServices(template?.services, input.services);
  const frontPage = input.frontPage ?? false;
  const mysqlExternalAccess = input.mysqlExternalAccess ?? false;
  const rules = checkServiceRules({ limits, services, frontPage, mysqlExternalAccess });
  fail('the user is not valid for your account', {
    ...checkAgainstReseller({ limits, services, mysqlExternalAccess }, reseller),
    ...rules.errors,
  });

  const delta = allocationDelta(undefined, limits);
  const exceeded = exceededMaximums(delta, reseller);
  const counters = await guard(deps, reseller, delta, 'create user', !dryRun);
  const now = deps.clock.now().toISOString();
  const draft: Omit<HostedUser, 'username' | 'passwordHash'> = {
    resellerId,
    status: 'enabled',
    templateId: template?.id ?? null,
    templateName: template?.name ?? null,
    limits,
    services,
    frontPage,
    mysqlExternalAccess,
    personal: input.personal,
    domains,
    ip: input.ip ?? null,
    ssl: null,
    language: input.language ?? reseller.preferences.language,
    design: input.design ?? reseller.preferences.design,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  if (dryRun) {
    return {
      dryRun: true,
      wouldCreate: { username: null, ...draft, resellerId: undefined },
      exceeded,
      warnings: rules.warnings,
    };
  }

  const generated = input.password === undefined;
  const password = input.password ?? generatePassword(deps.randomBytes);
  const [username, passwordHash, firstChoice] = await Promise.all([
    deps.users.nextUsername(),
    deps.hashPassword(password),
    chooseServer(deps.servers, resellerId, ctx.serverIds),
  ]);
  // The registration e-mail goes into the outbox in the user's own transaction (docs/mail.md).
  const registrationEmail = input.sendEmail
    ? await queueRegistrationEmail(
        deps,
        resellerId,
        { ...draft, username, passwordHash: '' },
        reseller,
        template?.registrationEmail ?? ctx.defaultEmail ?? DEFAULT_REGISTRATION_EMAIL,
        { password },
      )
    : undefined;
  let user!: HostedUser;
  let serverId!: string;
  const created = (s: string) =>
    webhookEvent(deps, resellerId, 'user.created', { username, templateId: draft.templateId, domains: domains.map((d) => d.name), status: draft.status, serverId: s, createdAt: now });
  const frontPageIssued = frontPage ? issueFrontPageLogin(username, deps.randomBytes) : undefined;
  if (frontPageIssued) draft.frontPageLogin = frontPageIssued.stored;
  // A server that filled up between our read and the transaction refuses it (capacity condition):
  // choose again from fresh counts, which moves on to the next server with room.
  for (let attempt = 1; ; attempt++) {
    serverId = attempt === 1 ? firstChoice : await chooseServer(deps.servers, resellerId, ctx.serverIds);
    user = { ...draft, username, passwordHash, serverId };
    try {
      await commit(
        deps,
        resellerId,
        {
          after: user,
          counters,
          domainsAdded: domains.map((d, i) => ({ name: d.name, field: `domains[${i}].name` })),
          domainsRemoved: [],
          ipAssigned: user.ip ?? undefined,
          messages: [
            message(deps, 'notice', `user ${username} created${template ? ` from template "${template.name}"` : ''}`, { user: username }),
            ...exceededMessages(deps, exceeded, username),
          ],
          placement: { serverId },
          provision: { at: now, serverId },
          outbox: registrationEmail,
          events: [created(serverId)],
        },
        'create user',
      );
      break;
    } catch (e) {
      if (!(e instanceof ConflictError && e.code === 'SERVER_FULL') || attempt >= 3) throw e;
    }
  }

  return {
    ...userView(user),
    provisioning: provisioningView({
      sequence: 1, status: 'pending', lastError: null, attempts: 0, updatedAt: now, nextAttemptAt: now, serverId, deleted: false,
    }),
    ...(generated ? { password } : {}),
    ...(frontPageIssued ? { frontPageCredentials: frontPageIssued.shown } : {}),
    warnings: rules.warnings,
    exceeded,
    ...(registrationEmail ? { registrationEmail: { messageId: registrationEmail.id, status: 'queued' as const } } : {}),
  };
}

export async function getUser(deps: ControlPanelDeps, actor: Principal, username: string) {
  const resellerId = resellerOf(actor);
  const [u, p] = await Promise.all([deps.users.get(resellerId, username), deps.provisioning.get(resellerId, username)]);
  if (!u) throw new NotFoundError('user not found');
  return { ...userView(u), provisioning: provisioningView(p) };
}

export async function listUsers(
  deps: ControlPanelDeps,
  actor: Principal,
  filter: PageRequest & { search?: string; status?: UserStatus; domain?: string },
) {
  let domain = filter.domain;
  if (domain !== undefined && domain !== '') {
    const trimmed = domain.trim().toLowerCase();
    // A prefix search; non-ASCII input is converted to punycode (a whole IDN label is needed, since
    // the punycode of a part of a label is not a prefix of the punycode of the label).
    const ascii = /[^\x00-\x7f]/.test(trimmed) ? domainToASCII(trimmed) : trimmed;
    if (!ascii) throw ValidationError.field('domain', 'is not a valid (internationalized) domain name');
    domain = ascii;
  } else domain = undefined;
  const resellerId = resellerOf(actor);
  const out = await deps.users.list(resellerId, { ...filter, domain });
  const statuses = out.items.length ? await deps.provisioning.getMany(resellerId, out.items.map((u) => u.username)) : new Map();
  return {
    items: out.items.map((u) => ({ ...userSummary(u), provisioning: provisioningView(statuses.get(u.username)) })),
    nextCursor: out.nextCursor,
  };
}

interface Mutation {
  after: HostedUser;
  text: string;
  domainsAdded?: { name: string; field: string }[];
  domainsRemoved?: string[];
  ipAssigned?: string;
  ipReleased?: string;
  /** Only these limits/services are measured against the reseller (values kept as they were are not). */
  changedLimits?: Partial<ResourceLimits>;
  changedServices?: Partial<Services>;
  changedMysqlExternal?: boolean;
}

/**
 * The common path of every change: one BatchGetItem (profile + user + template), the rules on the
 * resulting user, counters for the allocation delta, one transaction that also writes the notice.
 */
async function changeUser(
  deps: ControlPanelDeps,
  actor: Principal,
  username: string,
  what: string,
  mutate: (user: HostedUser, ctx: ChangeContext) => Mutation,
  templateId?: string,
) {
  const resellerId = resellerOf(actor);
  for (let attempt = 1; ; attempt++) {
    try {
      return await changeUserOnce(deps, resellerId, username, what, mutate, templateId);
    } catch (e) {
      // The billing account moved between our read and the transaction (a payment, the daily job).
      if (!(e instanceof StaleAccountError) || attempt >= 3) throw e;
    }
  }
}

async function changeUserOnce(
  deps: ControlPanelDeps,
  resellerId: string,
  username: string,
  what: string,
  mutate: (user: HostedUser, ctx: ChangeContext) => Mutation,
  templateId?: string,
) {
  const ctx = await deps.users.loadForChange(resellerId, username, templateId);
  if (!ctx?.user) throw new NotFoundError('user not found');
  const before = ctx.user;
  const m = mutate(before, ctx);
  const after: HostedUser = { ...m.after, version: before.version + 1, updatedAt: deps.clock.now().toISOString() };
  const rules = checkServiceRules(after);
  fail('the change is not valid', {
    ...checkAgainstReseller(
      { limits: m.changedLimits ?? {}, services: m.changedServices ?? {}, mysqlExternalAccess: m.changedMysqlExternal },
      ctx.reseller,
    ),
    ...rules.errors,
  });
  const delta = allocationDelta(before.limits, after.limits);
  const exceeded = exceededMaximums(delta, ctx.reseller);
  const counters = await guard(deps, ctx.reseller, delta, `${what} ${username}`, true);
  // Limits that are billed are a purchase or a release: priced now, written with the user (402 refuses both).
  const billing = await holdingChangeForLimits(deps, resellerId, username, before.limits, after.limits);
  await commit(
    deps,
    resellerId,
    {
      before,
      after,
      counters,
      domainsAdded: m.domainsAdded ?? [],
      domainsRemoved: m.domainsRemoved ?? [],
      ipAssigned: m.ipAssigned,
      ipReleased: m.ipReleased,
      messages: [message(deps, 'notice', m.text, { user: username }), ...exceededMessages(deps, exceeded, username)],
      provision: { at: after.updatedAt, serverId: before.serverId ?? undefined },
      billing,
    },
    `${what} ${username}`,
  );
  return { ...userView(after), warnings: rules.warnings, exceeded };
}

const changed = <T extends Record<string, unknown>>(before: T, after: T, names: readonly string[]): Partial<T> =>
  Object.fromEntries(names.filter((n) => before[n] !== after[n]).map((n) => [n, after[n]])) as Partial<T>;

/** Change personal data, services and limits, domains, IP, language/design. */
export async function patchUser(deps: ControlPanelDeps, actor: Principal, username: string, input: ChangeUserInput) {
  // FrontPage switched on: credentials issued with this change and shown once, in its response.
  let frontPageIssued: ReturnType<typeof issueFrontPageLogin> | undefined;
  const result = await changeUser(deps, actor, username, 'change user', (before) => {
    const errors: FieldErrors = {};
    const after: HostedUser = { ...before };
    const parts: string[] = [];
    if (input.personal) {
      const merged = personalSchema.safeParse({ ...before.personal, ...input.personal });
      if (!merged.success) {
        for (const issue of merged.error.issues) errors[['personal', ...issue.path.map(String)].join('.')] = issue.message;
      } else {
        after.personal = merged.data;
        // A new address starts clean: a bounce or complaint was about the old one.
        if (merged.data.email.toLowerCase() !== before.personal.email.toLowerCase()) after.mailStatus = null;
      }
      parts.push('personal data');
    }
    if (input.limits) {
      after.limits = fullLimits(before.limits, input.limits);
      parts.push('limits');
    }
    if (input.services) {
      after.services = fullServices(before.services, input.services);
      parts.push('services');
    }
    frontPageIssued = undefined;
    if (input.frontPage !== undefined) {
      after.frontPage = input.frontPage;
      parts.push(`FrontPage ${input.frontPage ? 'on' : 'off'}`);
      if (!input.frontPage) after.frontPageLogin = null;
      else if (!before.frontPageLogin) {
        frontPageIssued = issueFrontPageLogin(username, deps.randomBytes);
        after.frontPageLogin = frontPageIssued.stored;
      }
    }
    if (input.mysqlExternalAccess !== undefined) {
      after.mysqlExternalAccess = input.mysqlExternalAccess;
      parts.push(`MySQL external access ${input.mysqlExternalAccess ? 'on' : 'off'}`);
    }
    if (input.language) after.language = input.language;
    if (input.design) after.design = input.design;

    // Domains: remove, change DNS/DNR switches, add.
    let domains: UserDomain[] = [...before.domains];
    const removed: string[] = [];
    const added: { name: string; field: string }[] = [];
    if (input.domains) {
      (input.domains.remove ?? []).forEach((raw, i) => {
        const n = normalizeDomain(raw);
        const name = 'name' in n ? n.name : raw;
        if (!domains.some((d) => d.name === name)) errors[`domains.remove[${i}]`] = 'is not a domain of this user';
        else {
          domains = domains.filter((d) => d.name !== name);
          removed.push(name);
        }
      });
      const upd = normalizeDomains(input.domains.update ?? [], 'domains.update');
      Object.assign(errors, upd.errors);
      upd.domains.forEach((d, i) => {
        const at = domains.findIndex((x) => x.name === d.name);
        if (at < 0) errors[`domains.update[${i}].name`] = 'is not a domain of this user';
        else domains[at] = d;
      });
      const add = normalizeDomains(input.domains.add ?? [], 'domains.add');
      Object.assign(errors, add.errors);
      add.domains.forEach((d, i) => {
        if (domains.some((x) => x.name === d.name)) errors[`domains.add[${i}].name`] = 'is already a domain of this user';
        else {
          domains.push(d);
          if (removed.includes(d.name)) errors[`domains.add[${i}].name`] = 'is removed in the same request';
          added.push({ name: d.name, field: `domains.add[${i}].name` });
        }
      });
      after.domains = domains;
      parts.push('domains');
    }

    let ipAssigned: string | undefined;
    let ipReleased: string | undefined;
    if (input.ip !== undefined && input.ip !== before.ip) {
      if (before.ssl) errors.ip = 'the user has an own SSL certificate that needs this IP; delete the certificate first';
      if (before.ip) ipReleased = before.ip;
      if (input.ip) ipAssigned = input.ip;
      after.ip = input.ip;
      parts.push(input.ip ? `exclusive IP ${input.ip}` : 'exclusive IP given back');
    }
    fail('the change is not valid', errors);
    return {
      after,
      text: `user ${username} changed: ${parts.join(', ') || 'nothing'}`,
      domainsAdded: added,
      domainsRemoved: removed,
      ipAssigned,
      ipReleased,
      changedLimits: changed(before.limits, after.limits, RESOURCE_NAMES),
      changedServices: changed(before.services, after.services, SERVICE_NAMES),
      changedMysqlExternal: after.mysqlExternalAccess && !before.mysqlExternalAccess,
    };
  });
  return frontPageIssued ? { ...result, frontPageCredentials: frontPageIssued.shown } : result;
}

/** "Change services using templates": the template's limits and services replace the user's. */
export function applyTemplate(deps: ControlPanelDeps, actor: Principal, username: string, templateId: string) {
  return changeUser(
    deps,
    actor,
    username,
    'apply template to',
    (before, ctx) => {
      if (!ctx.template) throw ValidationError.field('templateId', 'is not one of your templates');
      const after: HostedUser = {
        ...before,
        limits: fullLimits(ctx.template.limits),
        services: fullServices(ctx.template.services),
        templateId: ctx.template.id,
        templateName: ctx.template.name,
      };
      return {
        after,
        text: `template "${ctx.template.name}" applied to user ${username}`,
        changedLimits: changed(before.limits, after.limits, RESOURCE_NAMES),
        changedServices: changed(before.services, after.services, SERVICE_NAMES),
      };
    },
    templateId,
  );
}

/** Lock keeps every piece of data; unlock makes all services available again (the seed). */
export function setUserLocked(deps: ControlPanelDeps, actor: Principal, username: string, locked: boolean) {
  return changeUser(deps, actor, username, locked ? 'lock' : 'unlock', (before) => {
    const status: UserStatus = locked ? 'locked' : 'enabled';
    if (before.status === status) throw new ConflictError(`user is already ${status}`, 'NO_CHANGE');
    return { after: { ...before, status }, text: `user ${username} ${locked ? 'locked' : 'unlocked'}` };
  });
}

/** A given password or a strong generated one, returned once. */
export async function setUserPassword(deps: ControlPanelDeps, actor: Principal, username: string, password: string | undefined) {
  if (password !== undefined) {
    const problem = passwordProblem(password, deps.passwordPolicy, username);
    if (problem) throw ValidationError.field('password', problem);
  }
  const chosen = password ?? generatePassword(deps.randomBytes);
  const passwordHash = await deps.hashPassword(chosen);
  await changeUser(deps, actor, username, 'change password of', (before) => ({
    after: { ...before, passwordHash },
    text: `password of user ${username} changed`,
  }));
  return { username, ...(password === undefined ? { password: chosen } : {}) };
}

/** Deleting gives the allocation back, frees the domains and the IP, removes the certificate. */
export async function deleteUser(deps: ControlPanelDeps, actor: Principal, username: string): Promise<void> {
  const resellerId = resellerOf(actor);
  const ctx = await deps.users.loadForChange(resellerId, username);
  if (!ctx?.user) throw new NotFoundError('user not found');
  const before = ctx.user;
  const billing = await closeForDeletedUser(deps, resellerId, username);
  // The certificate item goes in the user's transaction; its key parameter after it (the server archives the user, no key needed).
  const keyRef = before.ssl !== null ? (await deps.certificates.get(resellerId, username))?.keyRef : undefined;
  await commit(
    deps,
    resellerId,
    {
      before,
      billing,
      counters: { delta: allocationDelta(before.limits, undefined), guards: [] },
      domainsAdded: [],
      domainsRemoved: before.domains.map((d) => d.name),
      ipReleased: before.ip ?? undefined,
      deleteCertificate: before.ssl !== null,
      messages: [message(deps, 'notice', `user ${username} deleted`, { user: username })],
      events: [webhookEvent(deps, resellerId, 'user.deleted', { username, deletedAt: deps.clock.now().toISOString() })],
      // The user item goes; the status item stays with `deleted` until the server has archived the files.
      provision: { at: deps.clock.now().toISOString(), serverId: before.serverId ?? undefined, deleted: true },
    },
    `delete user ${username}`,
  ).catch((e) => {
    if (e instanceof StaleAccountError) throw new ConcurrentChangeError('the billing account changed meanwhile; try again');
    throw e;
  });
  if (keyRef) {
    await deps.privateKeys.remove(keyRef).catch(async (e: Error) => {
      await deps.messages
        .write(resellerId, { type: 'error', text: `the private key of deleted user ${username} could not be removed from the key store (${keyRef}): ${e.message}` }, deps.clock.now())
        .catch(() => undefined);
    });
  }
}
