import { useEffect, useState } from 'preact/hooks';
import { api, get, qs, ApiError } from '../api';
import { label, t } from '../i18n';
import { go } from '../state';
import { Check, Field, Form, Loading, Page, Select, Status, Submit, Table, useAction, useLoad, type Action } from '../ui';
import { LimitInputs, RESOURCE_NAMES, ServiceInputs, draftOf, limitsOf, type LimitDraft, type ServiceDraft } from '../limits';
import { listTemplates, type Template } from './templates';
import { Pager, LANGUAGE_OPTIONS } from './general';

export interface UserSummary {
  username: string;
  status: 'enabled' | 'locked';
  name: string;
  email: string;
  domains: string[];
  ip: string | null;
  frontPage: boolean;
  mysqlDatabases: number;
  mysqlExternalAccess: boolean;
  templateName: string | null;
}

interface Domain {
  name: string;
  dns: boolean;
  dnr: boolean;
}

interface Provisioning {
  status: 'pending' | 'applied' | 'failed';
  lastError: string | null;
  attempts: number;
  updatedAt: string | null;
  billingLocked: boolean;
}

interface UserView {
  username: string;
  status: 'enabled' | 'locked';
  templateId: string | null;
  templateName: string | null;
  limits: Record<string, number>;
  services: Record<string, boolean | string>;
  frontPage: boolean;
  mysqlExternalAccess: boolean;
  personal: Record<string, string | string[] | undefined>;
  domains: Domain[];
  ip: string | null;
  language: string;
  design: string;
  provisioning: Provisioning;
}

const statusText = (s: string) => t(s === 'locked' ? 'status.locked' : 'status.enabled');

/** Every user of the reseller, page by page (the circular's recipient list, the FrontPage and MySQL lists). */
async function allUsers(): Promise<UserSummary[]> {
  const out: UserSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{ items: UserSummary[]; nextCursor: string | null }>(`/users${qs({ limit: 100, cursor })}`);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 5000);
  return out;
}

/** Users -> Overview: the users with their status and domains; search, status filter, page size. */
export function Users() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState({ search: '', status: '', limit: '25' });
  const [status, setStatus] = useState('');
  const [limit, setLimit] = useState('25');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const load = useLoad(() => get<{ items: UserSummary[]; nextCursor: string | null }>(`/users${qs({ ...applied, cursor })}`), [applied, cursor]);
  const filter = useAction();
  return (
    <Page
      title={t('users.title')}
      tools={
        <>
          <a href="#/users/new">{t('menu.createUser')}</a> <a href="#/users/frontpage">{t('menu.frontpage')}</a> <a href="#/users/ssl">{t('menu.ssl')}</a> <a href="#/users/mysql">{t('menu.mysql')}</a>
        </>
      }
    >
      <Form action={filter} label={t('search')} class="filters" onSubmit={() => (setCursors([]), setApplied({ search: search.trim().toLowerCase(), status, limit }))}>
        <Field name="search" label={t('users.search')} value={search} onValue={setSearch} />
        <Select name="status" label={t('status')} value={status} options={[['', t('messages.all')], ['enabled', t('status.enabled')], ['locked', t('status.locked')]]} onValue={setStatus} />
        <Select name="limit" label={t('pageSize')} value={limit} options={['10', '25', '50', '100'].map((n): [string, string] => [n, n])} onValue={setLimit} />
        <button type="submit">{t('search')}</button>
      </Form>
      <Loading load={load} />
      {load.error instanceof ApiError && load.error.fields.search ? <p class="field-error">{load.error.fields.search}</p> : null}
      {load.data ? (
        <>
          <Table
            caption={t('users.changeUser')}
            rows={load.data.items}
            rowClass={(u) => (u.status === 'locked' ? 'highlight' : undefined)}
            columns={[
              { key: 'username', label: t('signin.username'), render: (u) => <a href={`#/users/${u.username}`}>{u.username}</a> },
              { key: 'name', label: t('users.name') },
              { key: 'status', label: t('status'), render: (u) => statusText(u.status) },
              { key: 'domains', label: t('users.domains'), render: (u) => u.domains.join(', ') },
              { key: 'template', label: t('email.template'), render: (u) => u.templateName ?? t('templates.none') },
            ]}
          />
          <Pager cursors={cursors} setCursors={setCursors} next={load.data.nextCursor} />
        </>
      ) : null}
    </Page>
  );
}

const WIZARD_STEPS = ['wizard.step1', 'wizard.step2', 'wizard.step3', 'wizard.step4', 'wizard.step5'] as const;
const PERSONAL = ['salutation', 'firstName', 'lastName', 'company', 'street', 'zip', 'city', 'country', 'phone', 'fax', 'email', 'free1', 'free2', 'free3'] as const;
const REQUIRED_PERSONAL = ['firstName', 'lastName', 'email'];

/** The wizard step a field error belongs to, so Back/Next lands where it can be fixed. */
function stepOf(field: string): number {
  if (field.startsWith('template')) return 0;
  if (/^(limits|services|frontPage|mysqlExternalAccess)/.test(field)) return 1;
  if (/^(personal|password)/.test(field)) return 2;
  if (/^(domains|ip)/.test(field)) return 3;
  return 4;
}

interface DryRun {
  exceeded: { field: string; used: number; max: number }[];
  warnings: string[];
}

interface Created {
  username: string;
  password?: string;
  /** With sendEmail: the registration e-mail, queued in the outbox and sent in the background. */
  registrationEmail?: { messageId: string; status: 'queued' };
  exceeded: { field: string; used: number; max: number }[];
}

/** Users -> Create User: the 5-step wizard with Back and Next; the dry run reports exceeded maximums. */
export function CreateUser({ query }: { query?: Record<string, string> }) {
  const templates = useLoad(listTemplates);
  const labels = useLoad(() => get<Record<string, string>>('/personal-fields'));
  const ips = useLoad(() => get<{ items: { ip: string; assignedTo: string | null }[] }>('/ips?limit=100'));
  const [step, setStep] = useState(0);
  const [templateId, setTemplateId] = useState(query?.template ?? '');
  const [limits, setLimits] = useState<LimitDraft>({});
  const [services, setServices] = useState<ServiceDraft>({});
  const [frontPage, setFrontPage] = useState(false);
  const [mysqlExternalAccess, setMysql] = useState(false);
  const [personal, setPersonal] = useState<Record<string, string>>({});
  const [show, setShow] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [domains, setDomains] = useState<Domain[]>([]);
  const [newDomain, setNewDomain] = useState<Domain>({ name: '', dns: true, dnr: false });
  const [ip, setIp] = useState('');
  const [sendEmail, setSendEmail] = useState(true);
  const [language, setLanguage] = useState('');
  const [report, setReport] = useState<DryRun | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const action = useAction();

  const body = () => ({
    ...(templateId ? { template: templateId } : {}),
    limits: limitsOf(limits),
    services,
    frontPage,
    mysqlExternalAccess,
    personal: { ...Object.fromEntries(Object.entries(personal).filter(([, v]) => v.trim() !== '')), showOnHomePage: show },
    domains,
    ...(ip ? { ip } : {}),
    ...(password ? { password } : {}),
    ...(language ? { language } : {}),
    sendEmail,
  });

  /** Runs an API call; on field errors go back to the first step that holds one. */
  const guarded = async <T,>(fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.fields).length) setStep(Math.min(...Object.keys(e.fields).map(stepOf)));
      throw e;
    }
  };

  const next = () => {
    if (step === 0) {
      void action.run(async () => {
        const tpl = templateId ? await get<Template>(`/templates/${templateId}`) : null;
        setLimits(draftOf(tpl?.limits));
        setServices(tpl?.services ?? {});
        setStep(1);
      }, t('wizard.templateApplied'));
    } else if (step === 3) {
      void action.run(
        () =>
          guarded(async () => {
            const out = await api<DryRun>('POST', '/users?dryRun=true', body());
            setReport(out);
            setStep(4);
            return out;
          }),
        (r) => (r.exceeded.length ? t('wizard.dryRunExceeded') : t('wizard.dryRunOk')),
      );
    } else if (step === 4) {
      void action.run(
        () =>
          guarded(async () => {
            const out = await api<Created>('POST', '/users', body());
            setCreated(out);
            return out;
          }),
        (r) => t('wizard.created', { name: r.username }),
      );
    } else {
      action.reset();
      setStep(step + 1);
    }
  };

  if (created) {
    return (
      <Page title={t('menu.createUser')}>
        <Status action={action} />
        <h2>{t('wizard.accessData')}</h2>
        <dl class="facts">
          <dt>{t('wizard.login')}</dt>
          <dd>{created.username}</dd>
          <dt>{t('signin.password')}</dt>
          <dd>{created.password ? <code>{created.password}</code> : t('wizard.passwordGiven')}</dd>
          <dt>{t('wizard.email')}</dt>
          <dd>{created.registrationEmail ? t('wizard.emailQueued') : t('wizard.emailNotSent')}</dd>
        </dl>
        <p>
          <a href={`#/users/${created.username}`}>{t('users.open', { name: created.username })}</a>
        </p>
      </Page>
    );
  }

  const freeLabel = (n: string) => (n.startsWith('free') ? labels.data?.[n] || t(`field.${n}` as 'field.free1') : t(`field.${n}` as 'field.email'));
  return (
    <Page title={t('menu.createUser')}>
      <Form action={action} label={t('menu.createUser')} onSubmit={next}>
        <ol class="steps">
          {WIZARD_STEPS.map((s, i) => (
            <li key={s} aria-current={i === step ? 'step' : undefined}>
              {t(s)}
            </li>
          ))}
        </ol>
        <h2>{t(WIZARD_STEPS[step]!)}</h2>
        {step === 0 ? (
          <>
            <Loading load={templates} />
            <Select name="template" label={t('email.template')} value={templateId} options={[['', t('templates.none')], ...(templates.data?.items ?? []).map((x): [string, string] => [x.id, x.name])]} onValue={setTemplateId} />
            <p class="hint">{t('wizard.templateHint')}</p>
          </>
        ) : null}
        {step === 1 ? (
          <>
            <LimitInputs prefix="limits" names={RESOURCE_NAMES} draft={limits} onDraft={setLimits} legend={t('limits.legend')} hint={t('limits.hint')} />
            <ServiceInputs draft={services} onDraft={setServices} />
            <Check name="frontPage" label={t('users.frontPage')} checked={frontPage} onValue={setFrontPage} />
            <Check name="mysqlExternalAccess" label={t('features.mysqlExternal')} checked={mysqlExternalAccess} onValue={setMysql} />
          </>
        ) : null}
        {step === 2 ? (
          <PersonalFields personal={personal} setPersonal={setPersonal} show={show} setShow={setShow} freeLabel={freeLabel}>
            <Field name="password" label={t('signin.password')} type="password" value={password} onValue={setPassword} autocomplete="new-password" hint={t('wizard.passwordHint')} />
          </PersonalFields>
        ) : null}
        {step === 3 ? (
          <>
            <DomainList domains={domains} setDomains={setDomains} prefix="domains" />
            <fieldset>
              <legend>{t('domains.add')}</legend>
              <Field name="newDomain" label={t('domains.domain')} value={newDomain.name} onValue={(v) => setNewDomain({ ...newDomain, name: v })} />
              <Check name="newDomain.dns" label="DNS" checked={newDomain.dns} onValue={(v) => setNewDomain({ ...newDomain, dns: v })} />
              <Check name="newDomain.dnr" label="DNR" checked={newDomain.dnr} onValue={(v) => setNewDomain({ ...newDomain, dnr: v })} />
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  if (!newDomain.name.trim()) return;
                  setDomains([...domains, { ...newDomain, name: newDomain.name.trim() }]);
                  setNewDomain({ name: '', dns: true, dnr: false });
                }}
              >
                {t('domains.addButton')}
              </button>
            </fieldset>
            <Select name="ip" label={t('domains.ownIp')} value={ip} options={[['', t('domains.noIp')], ...(ips.data?.items ?? []).filter((x) => !x.assignedTo).map((x): [string, string] => [x.ip, x.ip])]} onValue={setIp} />
          </>
        ) : null}
        {step === 4 ? (
          <>
            {report ? <DryRunReport report={report} /> : null}
            <Check name="sendEmail" label={t('wizard.sendEmail')} checked={sendEmail} onValue={setSendEmail} />
            <Select name="language" label={t('language.language')} value={language} options={[['', t('wizard.resellerDefault')], ...LANGUAGE_OPTIONS]} onValue={setLanguage} />
          </>
        ) : null}
        <div class="wizard-nav">
          <button type="button" class="secondary" disabled={step === 0 || action.busy} onClick={() => (action.reset(), setStep(step - 1))}>
            {t('back')}
          </button>
          <Submit action={action} label={step === 4 ? t('wizard.create') : t('next')} />
        </div>
        <Status action={action} />
      </Form>
    </Page>
  );
}

function DryRunReport({ report }: { report: DryRun }) {
  return (
    <div class="report" role="region" aria-label={t('wizard.report')}>
      <h3>{t('wizard.report')}</h3>
      {report.exceeded.length ? (
        <ul>
          {report.exceeded.map((x) => (
            <li key={x.field}>{t('wizard.exceededLine', { name: label('res', x.field), used: x.used, max: x.max })}</li>
          ))}
        </ul>
      ) : (
        <p>{t('wizard.noneExceeded')}</p>
      )}
      {report.warnings.map((w) => (
        <p key={w}>{w}</p>
      ))}
    </div>
  );
}

function PersonalFields(p: {
  personal: Record<string, string>;
  setPersonal: (v: Record<string, string>) => void;
  show: string[];
  setShow: (v: string[]) => void;
  freeLabel: (n: string) => string;
  prefix?: string;
  children?: preact.ComponentChildren;
}) {
  const prefix = p.prefix ?? 'personal';
  return (
    <>
      <fieldset class="grid">
        <legend>{t('wizard.step3')}</legend>
        {PERSONAL.map((n) => (
          <Field key={n} name={`${prefix}.${n}`} label={p.freeLabel(n)} type={n === 'email' ? 'email' : 'text'} value={p.personal[n] ?? ''} onValue={(v) => p.setPersonal({ ...p.personal, [n]: v })} required={REQUIRED_PERSONAL.includes(n)} />
        ))}
      </fieldset>
      <fieldset class="grid">
        <legend>{t('wizard.showOnHomePage')}</legend>
        {PERSONAL.map((n) => (
          <Check key={n} name={`${prefix}.showOnHomePage.${n}`} label={p.freeLabel(n)} checked={p.show.includes(n)} onValue={(v) => p.setShow(v ? [...p.show, n] : p.show.filter((x) => x !== n))} />
        ))}
      </fieldset>
      {p.children}
    </>
  );
}

function DomainList({ domains, setDomains, prefix }: { domains: Domain[]; setDomains: (d: Domain[]) => void; prefix: string }) {
  return (
    <Table
      caption={t('domains.edit')}
      rows={domains.map((d, i) => ({ ...d, i }))}
      columns={[
        { key: 'name', label: t('domains.domain') },
        { key: 'dns', label: 'DNS', render: (d) => <Check name={`${prefix}.${d.i}.dns`} label={t('domains.dnsFor', { name: d.name })} checked={d.dns} onValue={(v) => setDomains(domains.map((x, j) => (j === d.i ? { ...x, dns: v } : x)))} /> },
        { key: 'dnr', label: 'DNR', render: (d) => <Check name={`${prefix}.${d.i}.dnr`} label={t('domains.dnrFor', { name: d.name })} checked={d.dnr} onValue={(v) => setDomains(domains.map((x, j) => (j === d.i ? { ...x, dnr: v } : x)))} /> },
        {
          key: 'delete',
          label: t('delete'),
          render: (d) => (
            <button type="button" class="secondary" onClick={() => setDomains(domains.filter((_, j) => j !== d.i))}>
              {t('domains.deleteOne', { name: d.name })}
            </button>
          ),
        },
      ]}
    />
  );
}

const CHANGE_OPTIONS = ['personal', 'services', 'template', 'domains', 'password', 'delete', 'lock'] as const;
type ChangeOption = (typeof CHANGE_OPTIONS)[number];

/** One user: status, provisioning (followed until it settles), and the seed's Change User form. */
export function UserDetail({ username }: { username: string }) {
  const load = useLoad(() => get<UserView>(`/users/${username}`), [username]);
  const pending = load.data?.provisioning.status === 'pending';
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(load.reload, 1000);
    return () => clearTimeout(timer);
  }, [pending, load.data]);
  const u = load.data;
  return (
    <Page title={t('users.one', { name: username })}>
      <Loading load={load.data ? { error: null, loading: false } : load} notFound={t('users.notFound')} />
      {u ? (
        <>
          <dl class="facts">
            <dt>{t('status')}</dt>
            <dd data-testid="user-status">{statusText(u.status)}</dd>
            <dt>{t('users.provisioning')}</dt>
            <dd data-testid="provisioning-status">
              {t(`prov.${u.provisioning.status}` as 'prov.applied')}
              {u.provisioning.billingLocked ? ` · ${t('prov.billingLocked')}` : ''}
            </dd>
            {u.provisioning.lastError ? (
              <>
                <dt>{t('prov.lastError')}</dt>
                <dd>{u.provisioning.lastError}</dd>
              </>
            ) : null}
            <dt>{t('users.name')}</dt>
            <dd>
              {String(u.personal.firstName ?? '')} {String(u.personal.lastName ?? '')} ({String(u.personal.email ?? '')})
            </dd>
            <dt>{t('users.domains')}</dt>
            <dd>{u.domains.map((d) => d.name).join(', ') || '—'}</dd>
            <dt>{t('email.template')}</dt>
            <dd>{u.templateName ?? t('templates.none')}</dd>
          </dl>
          <p class="tools">
            <a href={`#/users/${username}/billing`}>{t('billing.title')}</a> <a href={`#/stats/users/${username}`}>{t('stats.detail')}</a> <a href={`#/users/ssl/${username}`}>{t('menu.ssl')}</a>
          </p>
          <ChangeUser key={`${u.username}-${u.status}`} user={u} reload={load.reload} />
        </>
      ) : null}
    </Page>
  );
}

function ChangeUser({ user, reload }: { user: UserView; reload: () => void }) {
  const [option, setOption] = useState<ChangeOption>('personal');
  const [shown, setShown] = useState<ChangeOption | null>(null);
  return (
    <section>
      <h2>{t('users.changeUser')}</h2>
      <form
        class="form"
        aria-label={t('users.changeUser')}
        onSubmit={(e) => {
          e.preventDefault();
          setShown(option);
        }}
      >
        <fieldset>
          <legend>{t('change.choose')}</legend>
          {CHANGE_OPTIONS.map((o) => (
            <div class="check" key={o}>
              <input type="radio" id={`change-${o}`} name="change" value={o} checked={option === o} onChange={() => setOption(o)} />
              <label for={`change-${o}`}>{o === 'lock' ? t(user.status === 'locked' ? 'change.unlock' : 'change.lock') : t(`change.${o}` as 'change.personal')}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">{t('next')}</button>
      </form>
      {shown === 'personal' ? <ChangePersonal user={user} reload={reload} /> : null}
      {shown === 'services' ? <ChangeServices user={user} reload={reload} /> : null}
      {shown === 'template' ? <ChangeByTemplate user={user} reload={reload} /> : null}
      {shown === 'domains' ? <ChangeDomains user={user} reload={reload} /> : null}
      {shown === 'password' ? <ChangePassword user={user} /> : null}
      {shown === 'delete' ? <DeleteUser user={user} /> : null}
      {shown === 'lock' ? <LockUser user={user} reload={reload} /> : null}
    </section>
  );
}

function patch(username: string, action: Action, body: unknown, reload: () => void) {
  void action.run(async () => {
    await api('PATCH', `/users/${username}`, body);
    reload();
  }, t('saved'));
}

function ChangePersonal({ user, reload }: { user: UserView; reload: () => void }) {
  const labels = useLoad(() => get<Record<string, string>>('/personal-fields'));
  const initial = Object.fromEntries(PERSONAL.map((n) => [n, String(user.personal[n] ?? '')]));
  const [personal, setPersonal] = useState<Record<string, string>>(initial);
  const [show, setShow] = useState<string[]>((user.personal.showOnHomePage as string[]) ?? []);
  const action = useAction();
  const freeLabel = (n: string) => (n.startsWith('free') ? labels.data?.[n] || t(`field.${n}` as 'field.free1') : t(`field.${n}` as 'field.email'));
  return (
    <Form action={action} label={t('change.personal')} onSubmit={() => patch(user.username, action, { personal: { ...Object.fromEntries(Object.entries(personal).filter(([k, v]) => v !== initial[k])), showOnHomePage: show } }, reload)}>
      <PersonalFields personal={personal} setPersonal={setPersonal} show={show} setShow={setShow} freeLabel={freeLabel} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

function ChangeServices({ user, reload }: { user: UserView; reload: () => void }) {
  const [limits, setLimits] = useState<LimitDraft>(draftOf(user.limits));
  const [services, setServices] = useState<ServiceDraft>(user.services);
  const [frontPage, setFrontPage] = useState(user.frontPage);
  const [mysql, setMysql] = useState(user.mysqlExternalAccess);
  const action = useAction();
  return (
    <Form action={action} label={t('change.services')} onSubmit={() => patch(user.username, action, { limits: limitsOf(limits), services, frontPage, mysqlExternalAccess: mysql }, reload)}>
      <LimitInputs prefix="limits" names={RESOURCE_NAMES} draft={limits} onDraft={setLimits} legend={t('limits.legend')} hint={t('limits.hint')} />
      <ServiceInputs draft={services} onDraft={setServices} />
      <Check name="frontPage" label={t('users.frontPage')} checked={frontPage} onValue={setFrontPage} />
      <Check name="mysqlExternalAccess" label={t('features.mysqlExternal')} checked={mysql} onValue={setMysql} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

function ChangeByTemplate({ user, reload }: { user: UserView; reload: () => void }) {
  const templates = useLoad(listTemplates);
  const [templateId, setTemplateId] = useState(user.templateId ?? '');
  const action = useAction();
  return (
    <Form action={action} label={t('change.template')} onSubmit={() => void action.run(async () => (await api('POST', `/users/${user.username}/apply-template`, { templateId }), reload()), t('saved'))}>
      <Loading load={templates} />
      <Select name="templateId" label={t('email.template')} value={templateId} options={[['', '—'], ...(templates.data?.items ?? []).map((x): [string, string] => [x.id, x.name])]} onValue={setTemplateId} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

function ChangeDomains({ user, reload }: { user: UserView; reload: () => void }) {
  const ips = useLoad(() => get<{ items: { ip: string; assignedTo: string | null }[] }>('/ips?limit=100'));
  const [domains, setDomains] = useState<Domain[]>(user.domains);
  const [newDomain, setNewDomain] = useState<Domain>({ name: '', dns: true, dnr: false });
  const [ip, setIp] = useState(user.ip ?? '');
  const action = useAction();
  const body = () => {
    const before = new Map(user.domains.map((d) => [d.name, d]));
    const now = new Map(domains.map((d) => [d.name, d]));
    const add = domains.filter((d) => !before.has(d.name));
    const remove = user.domains.filter((d) => !now.has(d.name)).map((d) => d.name);
    const update = domains.filter((d) => before.has(d.name) && (before.get(d.name)!.dns !== d.dns || before.get(d.name)!.dnr !== d.dnr));
    return { domains: { add, remove, update }, ip: ip || null };
  };
  const options: [string, string][] = [['', t('domains.noIp')], ...(ips.data?.items ?? []).filter((x) => !x.assignedTo || x.assignedTo === user.username).map((x): [string, string] => [x.ip, x.ip])];
  return (
    <Form action={action} label={t('change.domains')} onSubmit={() => patch(user.username, action, body(), reload)}>
      <DomainList domains={domains} setDomains={setDomains} prefix="domains.update" />
      <fieldset>
        <legend>{t('domains.add')}</legend>
        <Field name="domains.add.0.name" label={t('domains.domain')} value={newDomain.name} onValue={(v) => setNewDomain({ ...newDomain, name: v })} />
        <Check name="newDomain.dns" label="DNS" checked={newDomain.dns} onValue={(v) => setNewDomain({ ...newDomain, dns: v })} />
        <Check name="newDomain.dnr" label="DNR" checked={newDomain.dnr} onValue={(v) => setNewDomain({ ...newDomain, dnr: v })} />
        <button type="button" class="secondary" onClick={() => newDomain.name.trim() && (setDomains([...domains, { ...newDomain, name: newDomain.name.trim() }]), setNewDomain({ name: '', dns: true, dnr: false }))}>
          {t('domains.addButton')}
        </button>
      </fieldset>
      <Select name="ip" label={t('domains.ownIp')} value={ip} options={options} onValue={setIp} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

function ChangePassword({ user }: { user: UserView }) {
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <Form action={action} label={t('change.password')} onSubmit={() => void action.run(() => api<{ password?: string }>('POST', `/users/${user.username}/password`, password ? { password } : {}), (r) => (r.password ? t('users.passwordGenerated', { password: r.password }) : t('password.changed')))}>
      <Field name="password" label={t('password.new')} type="password" value={password} onValue={setPassword} autocomplete="new-password" hint={t('wizard.passwordHint')} />
      <Submit action={action} label={t('change.password')} />
      <Status action={action} />
    </Form>
  );
}

function DeleteUser({ user }: { user: UserView }) {
  const [sure, setSure] = useState(false);
  const action = useAction();
  return (
    <Form action={action} label={t('change.delete')} onSubmit={() => void action.run(async () => (await api('DELETE', `/users/${user.username}`), go('/users')), t('deleted'))}>
      <Check name="confirm" label={t('users.deleteConfirm', { name: user.username })} checked={sure} onValue={setSure} />
      <button type="submit" disabled={!sure || action.busy}>
        {t('change.delete')}
      </button>
      <Status action={action} />
    </Form>
  );
}

function LockUser({ user, reload }: { user: UserView; reload: () => void }) {
  const action = useAction();
  const locked = user.status === 'locked';
  return (
    <Form action={action} label={t(locked ? 'change.unlock' : 'change.lock')} onSubmit={() => void action.run(async () => (await api('POST', `/users/${user.username}/${locked ? 'unlock' : 'lock'}`), reload()), t(locked ? 'users.unlocked' : 'users.locked'))}>
      <p class="hint">{t('users.lockHint')}</p>
      <Submit action={action} label={t(locked ? 'users.unlockOne' : 'users.lockOne', { name: user.username })} />
      <Status action={action} />
    </Form>
  );
}

/** Users -> FrontPage: switch FrontPage for a user by the status button in the list. */
export function FrontPageList() {
  return <ToggleList title={t('menu.frontpage')} hint={t('frontpage.hint')} filter={() => true} field="frontPage" on={(u) => u.frontPage} />;
}

/** Users -> MySQL: users with databases; switch external access by the status button. */
export function MysqlList() {
  return <ToggleList title={t('menu.mysql')} hint={t('mysql.hint')} filter={(u) => u.mysqlDatabases !== 0} field="mysqlExternalAccess" on={(u) => u.mysqlExternalAccess} />;
}

function ToggleList(p: { title: string; hint: string; filter: (u: UserSummary) => boolean; field: 'frontPage' | 'mysqlExternalAccess'; on: (u: UserSummary) => boolean }) {
  const load = useLoad(allUsers);
  const action = useAction();
  return (
    <Page title={p.title}>
      <p class="hint">{p.hint}</p>
      <Loading load={load} />
      {load.data ? (
        <Table
          caption={p.title}
          rows={load.data.filter(p.filter)}
          columns={[
            { key: 'username', label: t('signin.username'), render: (u) => <a href={`#/users/${u.username}`}>{u.username}</a> },
            { key: 'name', label: t('users.name') },
            {
              key: 'state',
              label: t('status'),
              render: (u) => (
                <button type="button" class="secondary" aria-pressed={p.on(u)} disabled={action.busy} onClick={() => void action.run(async () => (await api('PATCH', `/users/${u.username}`, { [p.field]: !p.on(u) }), load.reload()), t('saved'))}>
                  {p.on(u) ? t('toggle.on', { name: u.username }) : t('toggle.off', { name: u.username })}
                </button>
              ),
            },
          ]}
        />
      ) : null}
      <Status action={action} />
    </Page>
  );
}

/** Users -> SSL: users with an exclusive IP; change opens the certificate form. */
export function SslList() {
  const load = useLoad(() => get<{ items: { username: string | null; ip: string; ssl: { subject: string; notAfter: string; selfSigned: boolean } | null; sslService: boolean }[] }>('/ssl/users?limit=100'));
  return (
    <Page title={t('menu.ssl')}>
      <p class="hint">{t('ssl.hint')}</p>
      <Loading load={load} />
      {load.data ? (
        <Table
          caption={t('menu.ssl')}
          rows={load.data.items}
          columns={[
            { key: 'ip', label: t('ips.ip') },
            { key: 'username', label: t('signin.username'), render: (x) => x.username ?? '—' },
            { key: 'ssl', label: t('ssl.certificate'), render: (x) => (x.ssl ? `${x.ssl.subject} (${x.ssl.selfSigned ? t('ssl.selfSigned') : t('ssl.official')}, ${x.ssl.notAfter.slice(0, 10)})` : '—') },
            { key: 'change', label: t('change'), render: (x) => (x.username ? <a href={`#/users/ssl/${x.username}`}>{t('ssl.changeOne', { name: x.username })}</a> : null) },
          ]}
        />
      ) : null}
    </Page>
  );
}

export function SslEdit({ username }: { username: string }) {
  const [kind, setKind] = useState('upload');
  const [shown, setShown] = useState<string | null>(null);
  const cert = useLoad(() => get<{ subject: string; notAfter: string; certificate: string }>(`/users/${username}/ssl`).catch((e: ApiError) => (e.status === 404 && e.message.includes('certificate') ? null : Promise.reject(e))), [username]);
  return (
    <Page title={t('ssl.titleOne', { name: username })}>
      <Loading load={cert} notFound={t('users.notFound')} />
      {cert.data ? (
        <p>
          {t('ssl.current')}: {cert.data.subject} ({cert.data.notAfter.slice(0, 10)})
        </p>
      ) : null}
      {!cert.error ? (
        <>
          <form class="form" aria-label={t('ssl.kind')} onSubmit={(e) => (e.preventDefault(), setShown(kind))}>
            <Select name="kind" label={t('ssl.kind')} value={kind} options={[['upload', t('ssl.upload')], ['self', t('ssl.nothing')]]} onValue={setKind} />
            <button type="submit">{t('next')}</button>
          </form>
          {shown === 'upload' ? <SslUpload username={username} reload={cert.reload} /> : null}
          {shown === 'self' ? <SslSelfSigned username={username} reload={cert.reload} /> : null}
        </>
      ) : null}
    </Page>
  );
}

function SslUpload({ username, reload }: { username: string; reload: () => void }) {
  const [privateKey, setKey] = useState('');
  const [certificate, setCert] = useState('');
  const action = useAction();
  return (
    <Form action={action} label={t('ssl.upload')} onSubmit={() => void action.run(async () => (await api('PUT', `/users/${username}/ssl`, { privateKey, certificate }), reload()), t('saved'))}>
      <Field name="privateKey" label={t('ssl.privateKey')} value={privateKey} onValue={setKey} multiline required />
      <Field name="certificate" label={t('ssl.certificate')} value={certificate} onValue={setCert} multiline required />
      <Submit action={action} label={t('ssl.save')} />
      <Status action={action} />
    </Form>
  );
}

function SslSelfSigned({ username, reload }: { username: string; reload: () => void }) {
  const [v, setV] = useState<Record<string, string>>({ country: '', state: '', city: '', organization: '', organizationalUnit: '', commonName: '', email: '', days: '365' });
  const action = useAction();
  const set = (k: string) => (x: string) => setV({ ...v, [k]: x });
  const body = () => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x.trim()) out[k] = k === 'days' && /^\d+$/.test(x) ? Number(x) : x.trim();
    return out;
  };
  return (
    <Form action={action} label={t('ssl.nothing')} onSubmit={() => void action.run(async () => (await api('POST', `/users/${username}/ssl/self-signed`, body()), reload()), t('ssl.created'))}>
      <Field name="country" label={t('ssl.country')} value={v.country!} onValue={set('country')} required />
      <Field name="state" label={t('ssl.state')} value={v.state!} onValue={set('state')} />
      <Field name="city" label={t('field.city')} value={v.city!} onValue={set('city')} />
      <Field name="organization" label={t('field.company')} value={v.organization!} onValue={set('organization')} required />
      <Field name="organizationalUnit" label={t('ssl.unit')} value={v.organizationalUnit!} onValue={set('organizationalUnit')} />
      <Field name="commonName" label={t('ssl.commonName')} value={v.commonName!} onValue={set('commonName')} />
      <Field name="email" label={t('field.email')} value={v.email!} onValue={set('email')} />
      <Field name="days" label={t('ssl.days')} value={v.days!} onValue={set('days')} />
      <Submit action={action} label={t('ssl.createSelfSigned')} />
      <Status action={action} />
    </Form>
  );
}

/** Users -> Circular to all users: compose, Next, choose recipients, send to the selected ones. */
export function Circular() {
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [step, setStep] = useState(0);
  const users = useLoad(() => (step === 1 ? allUsers() : Promise.resolve([] as UserSummary[])), [step]);
  const [selected, setSelected] = useState<string[] | null>(null);
  const action = useAction();
  const all = users.data ?? [];
  const chosen = selected ?? all.map((u) => u.username);
  const send = () =>
    void action.run(
      () => api<{ id?: string; sent?: number; failed?: unknown[] }>('POST', '/circulars', { subject, text, exclude: all.map((u) => u.username).filter((u) => !chosen.includes(u)) }),
      (r) => (typeof r.sent === 'number' ? t('circular.sent', { n: r.sent }) : t('circular.queued', { n: chosen.length })),
    );
  return (
    <Page title={t('menu.circular')}>
      <Form action={action} label={t('menu.circular')} onSubmit={() => (step === 0 ? (action.reset(), setStep(1)) : send())}>
        {step === 0 ? (
          <>
            <Field name="subject" label={t('email.subject')} value={subject} onValue={setSubject} required />
            <Field name="text" label={t('email.text')} value={text} onValue={setText} multiline rows={10} required hint={t('circular.tags')} />
            <button type="submit">{t('next')}</button>
          </>
        ) : (
          <>
            <Loading load={users} />
            <div class="field">
              <label for="recipients">{t('circular.recipients')}</label>
              <select id="recipients" multiple size={Math.min(10, Math.max(3, all.length))} onChange={(e) => setSelected([...(e.currentTarget as HTMLSelectElement).selectedOptions].map((o) => o.value))}>
                {all.map((u) => (
                  <option key={u.username} value={u.username} selected={chosen.includes(u.username)}>
                    {u.username} – {u.name} &lt;{u.email}&gt;
                  </option>
                ))}
              </select>
              <span class="hint">{t('circular.ctrl')}</span>
            </div>
            <div class="wizard-nav">
              <button type="button" class="secondary" onClick={() => setStep(0)}>
                {t('back')}
              </button>
              <Submit action={action} label={t('circular.send')} />
            </div>
          </>
        )}
        <Status action={action} />
      </Form>
    </Page>
  );
}
