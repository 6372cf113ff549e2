import { useState } from 'preact/hooks';
import { api, get, qs, ApiError } from '../api';
import { label, t } from '../i18n';
import { Field, Form, Loading, Page, Select, Status, Submit, Table, useAction, useLoad } from '../ui';
import { listTemplates } from './templates';
import { Pager } from './general';

interface Account {
  templateId: string;
  status: string;
  periodMonths: number;
  period: { start: string; end: string } | null;
  trialEnd: string | null;
  balance: string;
  creditLimit: string | null;
  holding: Record<string, string>;
  processedThrough: string;
}
interface Line {
  id: string;
  date: string;
  resource: string;
  type: string;
  quantity: string;
  amount: string;
  note?: string;
  pending?: boolean;
}

/** A user's billing: the account, the ledger, payments and adjustments, the preview of the next period. */
export function UserBilling({ username }: { username: string }) {
  const load = useLoad(async () => {
    await get(`/users/${username}`); // a user of another reseller (or none) answers 404 here
    return get<Account>(`/users/${username}/billing`).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
  }, [username]);
  return (
    <Page title={t('billing.titleOne', { name: username })} tools={<a href={`#/users/${username}`}>{t('users.one', { name: username })}</a>}>
      <Loading load={load} notFound={t('users.notFound')} />
      {load.data === null ? <OpenAccount username={username} reload={load.reload} /> : null}
      {load.data ? (
        <>
          <AccountFacts a={load.data} />
          <Ledger username={username} />
          <Preview username={username} />
          <Payment username={username} reload={load.reload} />
          <Adjustment username={username} reload={load.reload} />
          <AccountAction username={username} reload={load.reload} />
        </>
      ) : null}
    </Page>
  );
}

function AccountFacts({ a }: { a: Account }) {
  return (
    <dl class="facts">
      <dt>{t('status')}</dt>
      <dd>{a.status}</dd>
      <dt>{t('billing.balance')}</dt>
      <dd data-testid="balance">{a.balance}</dd>
      <dt>{t('plan.creditLimit')}</dt>
      <dd>{a.creditLimit ?? '—'}</dd>
      <dt>{t('billing.period')}</dt>
      <dd>{a.period ? `${a.period.start} – ${a.period.end} (${a.periodMonths})` : '—'}</dd>
      {a.trialEnd ? (
        <>
          <dt>{t('billing.trialEnd')}</dt>
          <dd>{a.trialEnd}</dd>
        </>
      ) : null}
      <dt>{t('billing.holding')}</dt>
      <dd>
        {Object.entries(a.holding)
          .map(([k, v]) => `${label('plan', k)}: ${v}`)
          .join(', ') || '—'}
      </dd>
      <dt>{t('billing.processed')}</dt>
      <dd>{a.processedThrough}</dd>
    </dl>
  );
}

function OpenAccount({ username, reload }: { username: string; reload: () => void }) {
  const templates = useLoad(listTemplates);
  const [templateId, setTemplateId] = useState('');
  const [months, setMonths] = useState('1');
  const action = useAction();
  const options: [string, string][] = [['', '—'], ...(templates.data?.items ?? []).map((x): [string, string] => [x.id, x.name])];
  return (
    <Form
      action={action}
      label={t('billing.open')}
      onSubmit={() => void action.run(async () => (await api('POST', `/users/${username}/billing`, { templateId, periodMonths: /^\d+$/.test(months) ? Number(months) : months }), reload()), t('billing.opened'))}
    >
      <p>{t('billing.none')}</p>
      <Select name="templateId" label={t('email.template')} value={templateId} options={options} onValue={setTemplateId} />
      <Field name="periodMonths" label={t('billing.periodMonths')} value={months} onValue={setMonths} />
      <Submit action={action} label={t('billing.open')} />
      <Status action={action} />
    </Form>
  );
}

function Ledger({ username }: { username: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const load = useLoad(() => get<{ lines: Line[]; nextCursor: string | null }>(`/users/${username}/billing/ledger${qs({ limit: 50, cursor })}`), [username, cursor]);
  return (
    <section>
      <h2>{t('billing.ledger')}</h2>
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('billing.ledger')}
            rows={load.data.lines}
            rowClass={(l) => (l.pending ? 'highlight' : undefined)}
            columns={[
              { key: 'date', label: t('billing.date') },
              { key: 'resource', label: t('billing.resource'), render: (l) => label('plan', l.resource) },
              { key: 'type', label: t('billing.type'), render: (l) => `${l.type}${l.pending ? ` (${t('billing.pending')})` : ''}` },
              { key: 'quantity', label: t('billing.quantity') },
              { key: 'amount', label: t('billing.amount') },
              { key: 'note', label: t('billing.note'), render: (l) => l.note ?? '' },
            ]}
          />
          <Pager cursors={cursors} setCursors={setCursors} next={load.data.nextCursor} />
        </>
      ) : null}
    </section>
  );
}

function Preview({ username }: { username: string }) {
  const load = useLoad(() => get<{ date: string | null; lines: Line[]; total: string }>(`/users/${username}/billing/preview`), [username]);
  return (
    <section>
      <h2>{t('billing.preview')}</h2>
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('billing.previewOn', { date: load.data.date ?? '—' })}
            rows={load.data.lines}
            columns={[
              { key: 'resource', label: t('billing.resource'), render: (l) => label('plan', l.resource) },
              { key: 'type', label: t('billing.type') },
              { key: 'quantity', label: t('billing.quantity') },
              { key: 'amount', label: t('billing.amount') },
            ]}
          />
          <p>
            {t('billing.total')}: <strong>{load.data.total}</strong>
          </p>
        </>
      ) : null}
    </section>
  );
}

function Payment({ username, reload }: { username: string; reload: () => void }) {
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const action = useAction();
  return (
    <Form action={action} label={t('billing.payment')} onSubmit={() => void action.run(async () => (await api('POST', `/users/${username}/billing/payments`, { amount, ...(reference ? { reference } : {}) }), setAmount(''), reload()), t('billing.paid'))}>
      <h2>{t('billing.payment')}</h2>
      <Field name="amount" label={t('billing.amount')} value={amount} onValue={setAmount} required />
      <Field name="reference" label={t('billing.reference')} value={reference} onValue={setReference} />
      <Submit action={action} label={t('billing.recordPayment')} />
      <Status action={action} />
    </Form>
  );
}

function Adjustment({ username, reload }: { username: string; reload: () => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const action = useAction();
  return (
    <Form action={action} label={t('billing.adjustment')} onSubmit={() => void action.run(async () => (await api('POST', `/users/${username}/billing/adjustments`, { amount, reason }), setAmount(''), setReason(''), reload()), t('saved'))}>
      <h2>{t('billing.adjustment')}</h2>
      <Field name="amount" label={t('billing.amount')} value={amount} onValue={setAmount} required hint={t('billing.adjustHint')} />
      <Field name="reason" label={t('billing.reason')} value={reason} onValue={setReason} required />
      <Submit action={action} label={t('billing.recordAdjustment')} />
      <Status action={action} />
    </Form>
  );
}

function AccountAction({ username, reload }: { username: string; reload: () => void }) {
  const [kind, setKind] = useState('suspend');
  const [months, setMonths] = useState('1');
  const action = useAction();
  return (
    <Form
      action={action}
      label={t('billing.actions')}
      onSubmit={() => void action.run(async () => (await api('POST', `/users/${username}/billing/actions`, kind === 'changePeriod' ? { action: kind, months: Number(months) } : { action: kind }), reload()), t('done'))}
    >
      <h2>{t('billing.actions')}</h2>
      <Select name="action" label={t('billing.action')} value={kind} options={['suspend', 'resume', 'convert', 'close', 'changePeriod'].map((a): [string, string] => [a, t(`billing.action.${a}` as 'billing.action.suspend')])} onValue={setKind} />
      {kind === 'changePeriod' ? <Field name="months" label={t('billing.periodMonths')} value={months} onValue={setMonths} /> : null}
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}
