import { useState } from 'preact/hooks';
import { api, get, qs } from '../api';
import { isLang, label, t } from '../i18n';
import { setState } from '../state';
import { loadSkinLook, type SkinList } from '../skin';
import { Field, Form, Loading, Page, Select, Status, Submit, Table, limitText, useAction, useLoad } from '../ui';

interface ResourceRow {
  used: number;
  max: number;
  hard: number;
  exceeded: boolean;
}
interface Account {
  username: string;
  email: string;
  status: string;
  preferences: { language: string; design: string };
  resources: Record<string, ResourceRow>;
  usage: { trafficGbThisMonth: string | number; storageMbMeasured: string | number };
}

/** The capacity in parentheses: the maximum, or the hard limit where that is lower (or the only one). */
export function capacity(r: { max: number; hard: number }): number {
  if (r.max === -1) return r.hard;
  if (r.hard === -1) return r.max;
  return Math.min(r.max, r.hard);
}

/** General -> Overview: used, (maximum) and hard limits; rows over a maximum highlighted. */
export function Overview() {
  const load = useLoad(() => get<Account>('/account'));
  const a = load.data;
  const rows = a ? Object.entries(a.resources).map(([name, r]) => ({ name, ...r })) : [];
  return (
    <Page
      title={t('overview.title')}
      tools={
        <>
          <a href="#/stats">{t('menu.userStats')}</a> <a href="#/stats/traffic">{t('menu.traffic')}</a>
        </>
      }
    >
      <Loading load={load} />
      {a ? (
        <>
          <p>
            {t('overview.account', { name: a.username, email: a.email })} · {t(a.status === 'locked' ? 'status.locked' : 'status.active')}
          </p>
          <Table
            caption={t('overview.caption')}
            rows={rows}
            rowClass={(r) => (r.exceeded ? 'exceeded' : undefined)}
            columns={[
              { key: 'name', label: t('overview.resource'), render: (r) => label('res', r.name) },
              {
                key: 'used',
                label: t('overview.usedMax'),
                render: (r) => (
                  <>
                    {r.used} ({limitText(capacity(r))}){r.exceeded ? <strong class="flag"> {t('overview.exceeded')}</strong> : null}
                  </>
                ),
              },
              { key: 'max', label: t('overview.max'), render: (r) => limitText(r.max) },
              { key: 'hard', label: t('overview.hard'), render: (r) => (r.name === 'trafficGb' ? t('overview.noHard') : limitText(r.hard)) },
            ]}
          />
          <p class="hint">{t('overview.hardHint')}</p>
          <h2>{t('overview.measured')}</h2>
          <dl class="facts">
            <dt>{t('overview.trafficMonth')}</dt>
            <dd>{a.usage.trafficGbThisMonth} GB</dd>
            <dt>{t('overview.diskMeasured')}</dt>
            <dd>{a.usage.storageMbMeasured} MB</dd>
          </dl>
        </>
      ) : null}
    </Page>
  );
}

/** General -> Change Password: the old one, the new one twice. */
export function ChangePassword() {
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [newPasswordRepeat, setRepeat] = useState('');
  const action = useAction();
  return (
    <Page title={t('password.title')}>
      <Form
        action={action}
        label={t('password.title')}
        onSubmit={() =>
          void action.run(async () => {
            await api('POST', '/account/password', { oldPassword, newPassword, newPasswordRepeat });
            setOld('');
            setNew('');
            setRepeat('');
          }, t('password.changed'))
        }
      >
        <Field name="oldPassword" label={t('password.old')} type="password" value={oldPassword} onValue={setOld} autocomplete="current-password" required />
        <Field name="newPassword" label={t('password.new')} type="password" value={newPassword} onValue={setNew} autocomplete="new-password" required />
        <Field name="newPasswordRepeat" label={t('password.repeat')} type="password" value={newPasswordRepeat} onValue={setRepeat} autocomplete="new-password" required />
        <Submit action={action} label={t('password.submit')} />
        <Status action={action} />
      </Form>
    </Page>
  );
}

export const LANGUAGE_OPTIONS: [string, string][] = [
  ['en', 'English'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
  ['it', 'Italiano'],
  ['nl', 'Nederlands'],
  ['pl', 'Polski'],
  ['pt', 'Português'],
];

/** General -> Language/Design: the defaults for new users, and the console's own language and look. */
export function LanguageDesign() {
  const load = useLoad(() => Promise.all([get<Account>('/account'), get<SkinList>('/skins')]));
  return (
    <Page title={t('language.title')}>
      <Loading load={load} />
      {load.data ? <LanguageForm account={load.data[0]} skins={load.data[1]} /> : null}
    </Page>
  );
}

function LanguageForm({ account, skins }: { account: Account; skins: SkinList }) {
  const [language, setLanguage] = useState(account.preferences.language);
  const [design, setDesign] = useState(account.preferences.design);
  const action = useAction();
  const designs: [string, string][] = [...skins.builtIn.map((n): [string, string] => [n, label('design', n)]), ...skins.items.map((s): [string, string] => [s.name, `${s.name} (${t('skins.custom')})`])];
  return (
    <Form
      action={action}
      label={t('language.title')}
      onSubmit={() =>
        void action.run(async () => {
          await api('PUT', '/account/preferences', { language, design });
          const skin = await loadSkinLook(design);
          setState({ skin, ...(isLang(language) ? { lang: language } : {}) });
        }, t('saved'))
      }
    >
      <p class="hint">{t('language.hint')}</p>
      <Select name="language" label={t('language.language')} value={language} options={LANGUAGE_OPTIONS} onValue={setLanguage} />
      <Select name="design" label={t('language.design')} value={design} options={designs} onValue={setDesign} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

interface Message {
  id: string;
  at: string;
  type: 'error' | 'notice';
  text: string;
}

/** General -> Messages: errors and notices, newest first; filter by type, choose the page size. */
export function Messages() {
  const [type, setType] = useState('all');
  const [limit, setLimit] = useState('25');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const load = useLoad(() => get<{ items: Message[]; nextCursor: string | null }>(`/account/messages${qs({ type, limit, cursor })}`), [type, limit, cursor]);
  return (
    <Page title={t('messages.title')}>
      <div class="filters">
        <Select name="type" label={t('messages.type')} value={type} options={[['all', t('messages.all')], ['error', t('messages.errors')], ['notice', t('messages.notices')]]} onValue={(v) => (setType(v), setCursors([]))} />
        <Select name="limit" label={t('pageSize')} value={limit} options={['10', '25', '50', '100'].map((n): [string, string] => [n, n])} onValue={(v) => (setLimit(v), setCursors([]))} />
      </div>
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('messages.title')}
            rows={load.data.items}
            rowClass={(m) => (m.type === 'error' ? 'error-row' : undefined)}
            columns={[
              { key: 'at', label: t('messages.at'), render: (m) => new Date(m.at).toLocaleString() },
              { key: 'type', label: t('messages.type'), render: (m) => t(m.type === 'error' ? 'messages.error' : 'messages.notice') },
              { key: 'text', label: t('messages.text') },
            ]}
          />
          <Pager cursors={cursors} setCursors={setCursors} next={load.data.nextCursor} />
        </>
      ) : null}
    </Page>
  );
}

export function Pager({ cursors, setCursors, next }: { cursors: string[]; setCursors: (c: string[]) => void; next: string | null }) {
  return (
    <div class="pager">
      <button type="button" class="secondary" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
        {t('previous')}
      </button>
      <button type="button" class="secondary" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
        {t('next')}
      </button>
    </div>
  );
}
