import { useState } from 'preact/hooks';
import { api, get } from '../api';
import { label, t } from '../i18n';
import { go } from '../state';
import { Check, Field, Form, Loading, Page, Select, Status, Submit, Table, limitText, useAction, useLoad } from '../ui';
import { LimitInputs, RESOURCE_NAMES, ServiceInputs, draftOf, limitsOf, type LimitDraft, type ServiceDraft } from '../limits';

export interface Template {
  id: string;
  name: string;
  limits: Record<string, number>;
  services: Record<string, boolean | string>;
}

export const listTemplates = () => get<{ items: Template[]; nextCursor: string | null }>('/templates?limit=100');

/** Templates -> Overview: the list; delete checked ones, change one, create a user from one. */
export function Templates() {
  const load = useLoad(listTemplates);
  const [checked, setChecked] = useState<string[]>([]);
  const del = useAction();
  return (
    <Page
      title={t('templates.title')}
      tools={
        <>
          <a href="#/templates/new">{t('menu.createTemplate')}</a> <a href="#/templates/email">{t('menu.emailSetup')}</a> <a href="#/users/new">{t('menu.createUser')}</a>
        </>
      }
    >
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('templates.manage')}
            rows={load.data.items}
            columns={[
              {
                key: 'check',
                label: t('select'),
                render: (x) => <Check name={`select.${x.id}`} label={t('templates.selectOne', { name: x.name })} checked={checked.includes(x.id)} onValue={(v) => setChecked(v ? [...checked, x.id] : checked.filter((c) => c !== x.id))} />,
              },
              { key: 'name', label: t('templates.name') },
              { key: 'storage', label: label('res', 'storageMb'), render: (x) => limitText(x.limits.storageMb) },
              { key: 'traffic', label: label('res', 'trafficGb'), render: (x) => limitText(x.limits.trafficGb) },
              {
                key: 'actions',
                label: t('actions'),
                render: (x) => (
                  <span class="row-actions">
                    <a href={`#/templates/${x.id}`}>{t('templates.changeOne', { name: x.name })}</a> <a href={`#/templates/${x.id}/plan`}>{t('templates.planOne', { name: x.name })}</a>{' '}
                    <a href={`#/users/new?template=${x.id}`}>{t('templates.userOne', { name: x.name })}</a>
                  </span>
                ),
              },
            ]}
          />
          <button
            type="button"
            disabled={!checked.length || del.busy}
            onClick={() =>
              void del.run(async () => {
                for (const id of checked) await api('DELETE', `/templates/${id}`);
                setChecked([]);
                load.reload();
              }, t('deleted'))
            }
          >
            {t('delete')}
          </button>
          <Status action={del} />
          <p class="hint">{t('templates.deleteHint')}</p>
        </>
      ) : null}
    </Page>
  );
}

/** Create template and Change template: the name, then the limits and services of Create User step 2. */
export function TemplateEdit({ templateId }: { templateId?: string }) {
  const load = useLoad(() => (templateId ? get<Template>(`/templates/${templateId}`) : Promise.resolve(null)), [templateId]);
  return (
    <Page title={templateId ? t('templates.change') : t('menu.createTemplate')}>
      <Loading load={load} notFound={t('templates.notFound')} />
      {load.data !== undefined ? <TemplateForm key={templateId ?? 'new'} template={load.data} /> : null}
    </Page>
  );
}

function TemplateForm({ template }: { template: Template | null }) {
  const [name, setName] = useState(template?.name ?? '');
  const [limits, setLimits] = useState<LimitDraft>(draftOf(template?.limits));
  const [services, setServices] = useState<ServiceDraft>(template?.services ?? {});
  const action = useAction();
  return (
    <Form
      action={action}
      label={template ? t('templates.change') : t('menu.createTemplate')}
      onSubmit={() =>
        void action.run(async () => {
          const body = { name, limits: limitsOf(limits), services };
          const out = template ? await api<Template>('PUT', `/templates/${template.id}`, body) : await api<Template>('POST', '/templates', body);
          if (!template) go(`/templates/${out.id}`);
          return out;
        }, template ? t('saved') : t('templates.created'))
      }
    >
      <Field name="name" label={t('templates.name')} value={name} onValue={setName} required hint={t('templates.nameHint')} />
      <LimitInputs prefix="limits" names={RESOURCE_NAMES} draft={limits} onDraft={setLimits} legend={t('limits.legend')} hint={t('limits.hint')} />
      <ServiceInputs draft={services} onDraft={setServices} />
      <Submit action={action} label={template ? t('apply') : t('menu.createTemplate')} />
      <Status action={action} />
      {template ? (
        <p>
          <a href={`#/templates/${template.id}/plan`}>{t('templates.planOne', { name: template.name })}</a> · <a href={`#/templates/email?template=${template.id}`}>{t('menu.emailSetup')}</a>
        </p>
      ) : null}
    </Form>
  );
}

interface EmailView {
  subject: string;
  text: string;
  tags: string[];
}

/** Templates -> E-mail setup: choose the template (or none), write the registration e-mail with tags. */
export function EmailSetup({ query }: { query?: Record<string, string> }) {
  const templates = useLoad(listTemplates);
  const [chosen, setChosen] = useState(query?.template ?? '');
  const [selected, setSelected] = useState<string | null>(query?.template ?? null);
  return (
    <Page title={t('menu.emailSetup')}>
      <Loading load={templates} />
      {templates.data ? (
        <form
          class="form"
          aria-label={t('email.choose')}
          onSubmit={(e) => {
            e.preventDefault();
            setSelected(chosen);
          }}
        >
          <Select name="template" label={t('email.template')} value={chosen} options={[['', t('templates.none')], ...templates.data.items.map((x): [string, string] => [x.id, x.name])]} onValue={setChosen} />
          <button type="submit">{t('email.select')}</button>
        </form>
      ) : null}
      {selected !== null ? <EmailEditor key={selected} templateId={selected} /> : null}
    </Page>
  );
}

function EmailEditor({ templateId }: { templateId: string }) {
  const path = templateId ? `/templates/${templateId}/registration-email` : '/registration-email';
  const load = useLoad(() => get<EmailView>(path), [path]);
  return (
    <>
      <Loading load={load} notFound={t('templates.notFound')} />
      {load.data ? <EmailForm path={path} initial={load.data} /> : null}
    </>
  );
}

function EmailForm({ path, initial }: { path: string; initial: EmailView }) {
  const [subject, setSubject] = useState(initial.subject);
  const [text, setText] = useState(initial.text);
  const action = useAction();
  return (
    <Form action={action} label={t('email.template')} onSubmit={() => void action.run(() => api('PUT', path, { subject, text }), t('saved'))}>
      <h2>{t('email.editor')}</h2>
      <Field name="subject" label={t('email.subject')} value={subject} onValue={setSubject} required />
      <Field name="text" label={t('email.text')} value={text} onValue={setText} multiline rows={12} required />
      <p>{t('email.tags')}</p>
      <ul class="tags">
        {(initial.tags ?? []).map((tag) => (
          <li key={tag}>
            <code>{`##${tag}##`}</code>
          </li>
        ))}
      </ul>
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

/** The plan resources of the billing wizard (shared/domain/billing/plan.ts RESOURCE_CATALOG). */
export const PLAN_RESOURCES = ['traffic', 'disk_quota', 'mailbox', 'mailbox_quota', 'mysql_db', 'mysql_quota', 'pgsql_db', 'pgsql_quota', 'dedicated_ip'] as const;

interface PlanResourceDraft {
  included: boolean;
  activeByDefault: boolean;
  free: string;
  setup: string;
  recurrent: string;
  usage: string;
  max: string;
}
interface PlanDraft {
  name: string;
  resources: Record<string, PlanResourceDraft>;
  trialDays: string;
  creditLimit: string;
  moneyBackDays: string;
  defaultIpType: string;
  billingPeriods: string;
}

const emptyResource = (): PlanResourceDraft => ({ included: false, activeByDefault: true, free: '0', setup: '0', recurrent: '0', usage: '0', max: '' });

function planDraft(plan: any | null, name: string): PlanDraft {
  const resources: Record<string, PlanResourceDraft> = {};
  for (const id of PLAN_RESOURCES) {
    const r = plan?.resources?.[id];
    resources[id] = r
      ? { included: r.included, activeByDefault: r.activeByDefault, free: r.free, setup: r.setup, recurrent: r.recurrent, usage: r.usage, max: r.max ?? '' }
      : emptyResource();
  }
  return {
    name: plan?.name ?? name,
    resources,
    trialDays: String(plan?.trialDays ?? 0),
    creditLimit: plan?.creditLimit ?? '0',
    moneyBackDays: String(plan?.moneyBackDays ?? 0),
    defaultIpType: plan?.defaultIpType ?? 'shared',
    billingPeriods: (plan?.billingPeriods ?? [1]).join(', '),
  };
}

const wholeOr = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s) : s);

function planBody(d: PlanDraft) {
  const resources: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(d.resources)) {
    if (!r.included) continue;
    resources[id] = { included: true, activeByDefault: r.activeByDefault, free: r.free, setup: r.setup, recurrent: r.recurrent, usage: r.usage, ...(r.max.trim() ? { max: r.max } : {}) };
  }
  return {
    plan: {
      name: d.name,
      resources,
      trialDays: wholeOr(d.trialDays),
      creditLimit: d.creditLimit,
      moneyBackDays: wholeOr(d.moneyBackDays),
      defaultIpType: d.defaultIpType,
      billingPeriods: d.billingPeriods.split(/[\s,]+/).filter(Boolean).map(wholeOr),
    },
  };
}

/** The template's billing plan: the plan edit wizard's steps with Back and Next, then Save. */
export function PlanWizard({ templateId }: { templateId: string }) {
  const load = useLoad(async () => {
    const template = await get<Template>(`/templates/${templateId}`);
    const plan = await get<{ plan: unknown }>(`/templates/${templateId}/plan`).then(
      (p) => p.plan,
      (e: { status?: number }) => {
        if (e.status === 404) return null;
        throw e;
      },
    );
    return { template, plan };
  }, [templateId]);
  return (
    <Page title={load.data ? t('plan.titleOne', { name: load.data.template.name }) : t('plan.title')}>
      <Loading load={load} notFound={t('templates.notFound')} />
      {load.data ? <PlanForm templateId={templateId} initial={planDraft(load.data.plan, load.data.template.name)} exists={load.data.plan !== null} /> : null}
    </Page>
  );
}

const PLAN_STEPS = ['plan.step1', 'plan.step2', 'plan.step3'] as const;

function PlanForm({ templateId, initial, exists }: { templateId: string; initial: PlanDraft; exists: boolean }) {
  const [d, setD] = useState(initial);
  const [step, setStep] = useState(0);
  const action = useAction();
  const setRes = (id: string, patch: Partial<PlanResourceDraft>) => setD({ ...d, resources: { ...d.resources, [id]: { ...d.resources[id]!, ...patch } } });
  const included = PLAN_RESOURCES.filter((id) => d.resources[id]!.included);
  const f = (id: string, k: keyof PlanResourceDraft) => `plan.resources.${id}.${k}`;
  return (
    <Form action={action} label={t('plan.title')} onSubmit={() => (step < PLAN_STEPS.length - 1 ? setStep(step + 1) : void action.run(() => api('PUT', `/templates/${templateId}/plan`, planBody(d)), t('plan.saved')))}>
      <ol class="steps">
        {PLAN_STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined}>
            {i + 1}. {t(s)}
          </li>
        ))}
      </ol>
      {exists ? <p class="hint">{t('plan.revising')}</p> : null}
      {step === 0 ? (
        <>
          <Field name="plan.name" label={t('plan.name')} value={d.name} onValue={(v) => setD({ ...d, name: v })} required />
          <fieldset class="grid">
            <legend>{t('plan.resources')}</legend>
            {PLAN_RESOURCES.map((id) => (
              <div key={id} class="plan-res">
                <Check name={f(id, 'included')} label={t('plan.included', { name: label('plan', id) })} checked={d.resources[id]!.included} onValue={(v) => setRes(id, { included: v })} />
                <Check name={f(id, 'activeByDefault')} label={t('plan.active', { name: label('plan', id) })} checked={d.resources[id]!.activeByDefault} onValue={(v) => setRes(id, { activeByDefault: v })} />
              </div>
            ))}
          </fieldset>
        </>
      ) : null}
      {step === 1 ? (
        <>
          <Field name="plan.billingPeriods" label={t('plan.periods')} value={d.billingPeriods} onValue={(v) => setD({ ...d, billingPeriods: v })} hint={t('plan.periodsHint')} />
          {included.map((id) => (
            <fieldset class="grid" key={id}>
              <legend>{label('plan', id)}</legend>
              <Field name={f(id, 'setup')} label={t('plan.setup')} value={d.resources[id]!.setup} onValue={(v) => setRes(id, { setup: v })} />
              <Field name={f(id, 'recurrent')} label={t('plan.recurrent')} value={d.resources[id]!.recurrent} onValue={(v) => setRes(id, { recurrent: v })} />
              <Field name={f(id, 'usage')} label={t('plan.usage')} value={d.resources[id]!.usage} onValue={(v) => setRes(id, { usage: v })} />
            </fieldset>
          ))}
          {included.length ? null : <p>{t('plan.noneIncluded')}</p>}
        </>
      ) : null}
      {step === 2 ? (
        <>
          {included.map((id) => (
            <fieldset class="grid" key={id}>
              <legend>{label('plan', id)}</legend>
              <Field name={f(id, 'free')} label={t('plan.free')} value={d.resources[id]!.free} onValue={(v) => setRes(id, { free: v })} />
              <Field name={f(id, 'max')} label={t('plan.max')} value={d.resources[id]!.max} onValue={(v) => setRes(id, { max: v })} />
            </fieldset>
          ))}
          <Field name="plan.creditLimit" label={t('plan.creditLimit')} value={d.creditLimit} onValue={(v) => setD({ ...d, creditLimit: v })} hint={t('plan.creditHint')} />
          <Field name="plan.trialDays" label={t('plan.trialDays')} value={d.trialDays} onValue={(v) => setD({ ...d, trialDays: v })} />
          <Field name="plan.moneyBackDays" label={t('plan.moneyBackDays')} value={d.moneyBackDays} onValue={(v) => setD({ ...d, moneyBackDays: v })} />
          <Select name="plan.defaultIpType" label={t('plan.ipType')} value={d.defaultIpType} options={[['shared', t('plan.ipShared')], ['dedicated', t('plan.ipDedicated')]]} onValue={(v) => setD({ ...d, defaultIpType: v })} />
        </>
      ) : null}
      <div class="wizard-nav">
        <button type="button" class="secondary" disabled={step === 0} onClick={() => setStep(step - 1)}>
          {t('back')}
        </button>
        {step < PLAN_STEPS.length - 1 ? <button type="submit">{t('next')}</button> : <Submit action={action} label={t('plan.save')} />}
      </div>
      <Status action={action} />
    </Form>
  );
}
