import { useState } from 'preact/hooks';
import { api, get, qs } from '../api';
import { label, t } from '../i18n';
import { go } from '../state';
import { Check, Field, Form, Loading, Page, Status, Submit, Table, limitText, useAction, useLoad } from '../ui';
import { LimitInputs, RESELLER_LIMIT_NAMES, RESOURCE_NAMES, SERVICE_NAMES, draftOf, limitsOf, type LimitDraft } from '../limits';
import { Pager } from './general';
import { capacity } from './general';

interface Features {
  services: string[];
  resources: string[];
  mysqlExternalAccess: boolean;
  oldSkins: boolean;
}
interface ResellerView {
  id: string;
  username: string;
  email: string;
  status: 'active' | 'locked';
  limits: Record<string, number>;
  hardLimits: Record<string, number>;
  features: Features;
  resources: Record<string, { used: number; max: number; hard: number; exceeded: boolean }>;
}

/** Operator -> Resellers: each with its status and users against its limits. */
export function Resellers() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const load = useLoad(() => get<{ items: ResellerView[]; nextCursor: string | null }>(`/operator/resellers${qs({ limit: 25, cursor })}`), [cursor]);
  return (
    <Page title={t('resellers.title')} tools={<a href="#/operator/resellers/new">{t('menu.createReseller')}</a>}>
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('resellers.title')}
            rows={load.data.items}
            rowClass={(r) => (Object.values(r.resources).some((x) => x.exceeded) ? 'exceeded' : undefined)}
            columns={[
              { key: 'username', label: t('signin.username'), render: (r) => <a href={`#/operator/resellers/${r.id}`}>{r.username}</a> },
              { key: 'email', label: t('field.email') },
              { key: 'status', label: t('status'), render: (r) => t(r.status === 'locked' ? 'status.locked' : 'status.active') },
              { key: 'users', label: label('res', 'users'), render: (r) => `${r.resources.users?.used ?? 0} (${limitText(capacity(r.resources.users ?? { max: -1, hard: -1 }))})` },
            ]}
          />
          <Pager cursors={cursors} setCursors={setCursors} next={load.data.nextCursor} />
        </>
      ) : null}
    </Page>
  );
}

function FeatureInputs({ features, onFeatures }: { features: Features; onFeatures: (f: Features) => void }) {
  const toggle = (list: string[], name: string, on: boolean) => (on ? [...new Set([...list, name])] : list.filter((x) => x !== name));
  return (
    <>
      <fieldset class="grid">
        <legend>{t('features.services')}</legend>
        {SERVICE_NAMES.map((n) => (
          <Check key={n} name={`features.services.${n}`} label={label('svc', n)} checked={features.services.includes(n)} onValue={(v) => onFeatures({ ...features, services: toggle(features.services, n, v) })} />
        ))}
      </fieldset>
      <fieldset class="grid">
        <legend>{t('features.resources')}</legend>
        {RESOURCE_NAMES.map((n) => (
          <Check key={n} name={`features.resources.${n}`} label={label('res', n)} checked={features.resources.includes(n)} onValue={(v) => onFeatures({ ...features, resources: toggle(features.resources, n, v) })} />
        ))}
        <Check name="features.mysqlExternalAccess" label={t('features.mysqlExternal')} checked={features.mysqlExternalAccess} onValue={(v) => onFeatures({ ...features, mysqlExternalAccess: v })} />
        <Check name="features.oldSkins" label={t('features.oldSkins')} checked={features.oldSkins} onValue={(v) => onFeatures({ ...features, oldSkins: v })} />
      </fieldset>
    </>
  );
}

const ALL_FEATURES: Features = { services: [...SERVICE_NAMES], resources: [...RESOURCE_NAMES], mysqlExternalAccess: false, oldSkins: false };

/** Operator -> Create reseller: login, e-mail, limits (maximum), hard limits and activated features. */
export function CreateReseller() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [limits, setLimits] = useState<LimitDraft>({ users: '10' });
  const [hardLimits, setHard] = useState<LimitDraft>({});
  const [features, setFeatures] = useState<Features>(ALL_FEATURES);
  const action = useAction();
  return (
    <Page title={t('menu.createReseller')}>
      <Form
        action={action}
        label={t('menu.createReseller')}
        onSubmit={() =>
          void action.run(async () => {
            const out = await api<{ id: string }>('POST', '/operator/resellers', { username, password, email, limits: limitsOf(limits), hardLimits: limitsOf(hardLimits), features });
            go(`/operator/resellers/${out.id}`);
            return out;
          }, t('resellers.created'))
        }
      >
        <Field name="username" label={t('signin.username')} value={username} onValue={setUsername} required autocomplete="off" />
        <Field name="password" label={t('signin.password')} type="password" value={password} onValue={setPassword} required autocomplete="new-password" />
        <Field name="email" label={t('field.email')} type="email" value={email} onValue={setEmail} required />
        <LimitInputs prefix="limits" names={RESELLER_LIMIT_NAMES} draft={limits} onDraft={setLimits} legend={t('resellers.limits')} hint={t('limits.hint')} />
        <LimitInputs prefix="hardLimits" names={RESELLER_LIMIT_NAMES.filter((n) => n !== 'trafficGb')} draft={hardLimits} onDraft={setHard} legend={t('resellers.hardLimits')} hint={t('resellers.hardHint')} />
        <FeatureInputs features={features} onFeatures={setFeatures} />
        <Submit action={action} label={t('resellers.create')} />
        <Status action={action} />
      </Form>
    </Page>
  );
}

/** Operator -> one reseller: overview, limits, hard limits, features, lock/unlock, IP pool, servers. */
export function ResellerDetail({ resellerId }: { resellerId: string }) {
  const load = useLoad(() => get<ResellerView>(`/operator/resellers/${resellerId}`), [resellerId]);
  return (
    <Page title={load.data ? t('resellers.one', { name: load.data.username }) : t('resellers.title')}>
      <Loading load={load} notFound={t('resellers.notFound')} />
      {load.data ? (
        <>
          <ResellerEdit r={load.data} reload={load.reload} />
          <IpPool resellerId={resellerId} />
          <ResellerServers resellerId={resellerId} />
        </>
      ) : null}
    </Page>
  );
}

function ResellerEdit({ r, reload }: { r: ResellerView; reload: () => void }) {
  const [email, setEmail] = useState(r.email);
  const [limits, setLimits] = useState<LimitDraft>(draftOf(r.limits));
  const [hardLimits, setHard] = useState<LimitDraft>(draftOf(r.hardLimits));
  const [features, setFeatures] = useState<Features>(r.features);
  const action = useAction();
  const lock = useAction();
  const rows = Object.entries(r.resources).map(([name, x]) => ({ name, ...x }));
  return (
    <>
      <p>
        {t('status')}: <strong>{t(r.status === 'locked' ? 'status.locked' : 'status.active')}</strong>{' '}
        <button
          type="button"
          class="secondary"
          disabled={lock.busy}
          onClick={() => void lock.run(async () => (await api('POST', `/operator/resellers/${r.id}/${r.status === 'locked' ? 'unlock' : 'lock'}`), reload()), t('done'))}
        >
          {t(r.status === 'locked' ? 'unlock' : 'lock')}
        </button>
        <Status action={lock} />
      </p>
      <Table
        caption={t('overview.caption')}
        rows={rows}
        rowClass={(x) => (x.exceeded ? 'exceeded' : undefined)}
        columns={[
          { key: 'name', label: t('overview.resource'), render: (x) => label('res', x.name) },
          { key: 'used', label: t('overview.usedMax'), render: (x) => `${x.used} (${limitText(capacity(x))})` },
          { key: 'hard', label: t('overview.hard'), render: (x) => limitText(x.hard) },
        ]}
      />
      <Form action={action} label={t('resellers.change')} onSubmit={() => void action.run(async () => (await api('PATCH', `/operator/resellers/${r.id}`, { email, limits: limitsOf(limits), hardLimits: limitsOf(hardLimits), features }), reload()), t('saved'))}>
        <h2>{t('resellers.change')}</h2>
        <Field name="email" label={t('field.email')} type="email" value={email} onValue={setEmail} />
        <LimitInputs prefix="limits" names={RESELLER_LIMIT_NAMES} draft={limits} onDraft={setLimits} legend={t('resellers.limits')} hint={t('limits.hint')} />
        <LimitInputs prefix="hardLimits" names={RESELLER_LIMIT_NAMES.filter((n) => n !== 'trafficGb')} draft={hardLimits} onDraft={setHard} legend={t('resellers.hardLimits')} />
        <FeatureInputs features={features} onFeatures={setFeatures} />
        <Submit action={action} label={t('apply')} />
        <Status action={action} />
      </Form>
    </>
  );
}

function IpPool({ resellerId }: { resellerId: string }) {
  const load = useLoad(() => get<{ items: { ip: string; assignedTo: string | null }[] }>(`/operator/resellers/${resellerId}/ips?limit=100`), [resellerId]);
  const [ips, setIps] = useState('');
  const add = useAction();
  const remove = useAction();
  return (
    <section>
      <h2>{t('ips.title')}</h2>
      <Loading load={load} />
      {load.data ? (
        <Table
          caption={t('ips.title')}
          rows={load.data.items}
          columns={[
            { key: 'ip', label: t('ips.ip') },
            { key: 'assignedTo', label: t('ips.assignedTo'), render: (x) => x.assignedTo ?? '—' },
            {
              key: 'remove',
              label: t('delete'),
              render: (x) => (
                <button type="button" class="secondary" disabled={remove.busy} onClick={() => void remove.run(async () => (await api('DELETE', `/operator/resellers/${resellerId}/ips/${x.ip}`), load.reload()), t('deleted'))}>
                  {t('delete')} {x.ip}
                </button>
              ),
            },
          ]}
        />
      ) : null}
      <Status action={remove} />
      <Form
        action={add}
        label={t('ips.add')}
        onSubmit={() =>
          void add.run(async () => {
            await api('POST', `/operator/resellers/${resellerId}/ips`, { ips: ips.split(/[\s,]+/).filter(Boolean) });
            setIps('');
            load.reload();
          }, t('saved'))
        }
      >
        <Field name="ips" label={t('ips.addresses')} value={ips} onValue={setIps} hint={t('ips.hint')} />
        <Submit action={add} label={t('ips.add')} />
        <Status action={add} />
      </Form>
    </section>
  );
}

function ResellerServers({ resellerId }: { resellerId: string }) {
  const load = useLoad(() => Promise.all([get<{ serverIds: string[]; rule: string }>(`/operator/resellers/${resellerId}/servers`), get<{ items: ServerView[] }>('/operator/servers')]), [resellerId]);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const action = useAction();
  if (!load.data) return <Loading load={load} />;
  const [assigned, servers] = load.data;
  const current = chosen ?? assigned.serverIds;
  return (
    <Form action={action} label={t('servers.assign')} onSubmit={() => void action.run(async () => (await api('PUT', `/operator/resellers/${resellerId}/servers`, { serverIds: current }), load.reload()), t('saved'))}>
      <h2>{t('servers.assign')}</h2>
      <p class="hint">{t(assigned.rule === 'default' ? 'servers.ruleDefault' : 'servers.ruleAssigned')}</p>
      <fieldset class="grid">
        <legend>{t('servers.title')}</legend>
        {servers.items.map((s) => (
          <Check key={s.id} name={`serverIds.${s.id}`} label={`${s.name} (${s.id})`} checked={current.includes(s.id)} onValue={(v) => setChosen(v ? [...current, s.id] : current.filter((x) => x !== s.id))} />
        ))}
      </fieldset>
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

interface ServerView {
  id: string;
  name: string;
  instanceId: string | null;
  addresses: string[];
  capacity: number;
  users: number;
  isDefault: boolean;
}

/** Operator -> Servers: the managed hosting servers; register, change, push again. */
export function Servers() {
  const load = useLoad(() => get<{ items: ServerView[] }>('/operator/servers'));
  const push = useAction();
  const [editing, setEditing] = useState<ServerView | null>(null);
  return (
    <Page title={t('servers.title')}>
      <Loading load={load} />
      {load.data ? (
        <Table
          caption={t('servers.title')}
          rows={load.data.items}
          rowClass={(s) => (s.capacity !== -1 && s.users > s.capacity ? 'exceeded' : undefined)}
          columns={[
            { key: 'id', label: t('servers.id') },
            { key: 'name', label: t('servers.name') },
            { key: 'addresses', label: t('servers.addresses'), render: (s) => s.addresses.join(', ') },
            { key: 'users', label: t('servers.users'), render: (s) => `${s.users} (${limitText(s.capacity)})` },
            { key: 'isDefault', label: t('servers.default'), render: (s) => (s.isDefault ? t('yes') : t('no')) },
            {
              key: 'actions',
              label: t('actions'),
              render: (s) => (
                <>
                  <button type="button" class="secondary" onClick={() => setEditing(s)}>
                    {t('change')} {s.id}
                  </button>{' '}
                  <button type="button" class="secondary" disabled={push.busy} onClick={() => void push.run(() => api('POST', `/operator/servers/${s.id}/push`), t('servers.pushed'))}>
                    {t('servers.push')} {s.id}
                  </button>
                </>
              ),
            },
          ]}
        />
      ) : null}
      <Status action={push} />
      <ServerForm key={editing?.id ?? 'new'} server={editing} done={() => (setEditing(null), load.reload())} />
    </Page>
  );
}

function ServerForm({ server, done }: { server: ServerView | null; done: () => void }) {
  const [id, setId] = useState(server?.id ?? '');
  const [name, setName] = useState(server?.name ?? '');
  const [instanceId, setInstanceId] = useState(server?.instanceId ?? '');
  const [addresses, setAddresses] = useState(server?.addresses.join(', ') ?? '');
  const [cap, setCap] = useState(String(server?.capacity ?? -1));
  const [isDefault, setDefault] = useState(server?.isDefault ?? false);
  const action = useAction();
  const body = () => ({
    name,
    instanceId: instanceId.trim() || null,
    addresses: addresses.split(/[\s,]+/).filter(Boolean),
    capacity: /^-?\d+$/.test(cap.trim()) ? Number(cap) : cap,
    isDefault,
  });
  return (
    <Form
      action={action}
      label={server ? t('servers.change') : t('servers.register')}
      onSubmit={() => void action.run(async () => (server ? await api('PATCH', `/operator/servers/${server.id}`, body()) : await api('POST', '/operator/servers', { id, ...body() }), done()), t('saved'))}
    >
      <h2>{server ? t('servers.changeOne', { id: server.id }) : t('servers.register')}</h2>
      {server ? null : <Field name="id" label={t('servers.id')} value={id} onValue={setId} required />}
      <Field name="name" label={t('servers.name')} value={name} onValue={setName} required />
      <Field name="instanceId" label={t('servers.instanceId')} value={instanceId} onValue={setInstanceId} />
      <Field name="addresses" label={t('servers.addresses')} value={addresses} onValue={setAddresses} hint={t('ips.hint')} />
      <Field name="capacity" label={t('servers.capacity')} value={cap} onValue={setCap} hint={t('limits.hint')} />
      <Check name="isDefault" label={t('servers.default')} checked={isDefault} onValue={setDefault} />
      <Submit action={action} label={server ? t('apply') : t('servers.register')} />
      <Status action={action} />
    </Form>
  );
}
