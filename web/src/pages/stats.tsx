import { useState } from 'preact/hooks';
import { get, qs } from '../api';
import { label, t } from '../i18n';
import { go } from '../state';
import { Check, Field, Form, Loading, Page, Select, Table, bytesText, limitText, useAction, useLoad } from '../ui';
import { Pager } from './general';

interface StatsRow {
  username: string;
  status: string;
  name: string;
  storage: { usedMb: string | number; limitMb: number; exceeded: boolean; measuredOn: string | null };
  traffic: { webBytes: number; ftpBytes: number; totalBytes: number; totalGb: string | number; limitGb: number; exceeded: boolean };
  exceeded: boolean;
}
interface Day {
  day: string;
  webBytes: number;
  ftpBytes: number;
  totalBytes: number;
  diskKb?: number | null;
}

/** Stats -> User stats: storage and this month's traffic against the limits; exceeded cells highlighted. */
export function UserStats() {
  const [search, setSearch] = useState('');
  const [exceeders, setExceeders] = useState(false);
  const [limit, setLimit] = useState('25');
  const [applied, setApplied] = useState({ search: '', exceeders: false, limit: '25' });
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const path = `/stats/users${qs({ search: applied.search, exceeders: applied.exceeders ? 'true' : undefined, limit: applied.limit, cursor })}`;
  const load = useLoad(() => get<{ month: string; users: StatsRow[]; nextCursor: string | null }>(path), [path]);
  const filter = useAction();
  return (
    <Page title={t('menu.userStats')} tools={<a href="#/stats/traffic">{t('menu.traffic')}</a>}>
      <Form action={filter} label={t('search')} class="filters" onSubmit={() => (setCursors([]), setApplied({ search: search.trim().toLowerCase(), exceeders, limit }))}>
        <Field name="search" label={t('users.search')} value={search} onValue={setSearch} />
        <Check name="exceeders" label={t('stats.showExceeders')} checked={exceeders} onValue={setExceeders} />
        <Select name="limit" label={t('pageSize')} value={limit} options={['10', '25', '50', '100'].map((n): [string, string] => [n, n])} onValue={setLimit} />
        <button type="submit">{t('search')}</button>
      </Form>
      <Loading load={load} />
      {load.data ? (
        <>
          <Table
            caption={t('stats.caption', { month: load.data.month })}
            csv={{ path, filename: `user-stats-${load.data.month}.csv` }}
            rows={load.data.users}
            columns={[
              { key: 'username', label: t('signin.username'), render: (r) => <a href={`#/stats/users/${r.username}`}>{r.username}</a> },
              { key: 'name', label: t('users.name') },
              {
                key: 'storage',
                label: label('res', 'storageMb'),
                header: <a href="#/stats/service/storage">{label('res', 'storageMb')}</a>,
                cls: (r) => (r.storage.exceeded ? 'exceeded' : undefined),
                render: (r) => `${r.storage.usedMb} (${limitText(r.storage.limitMb)})`,
              },
              {
                key: 'traffic',
                label: label('res', 'trafficGb'),
                header: <a href="#/stats/service/traffic">{label('res', 'trafficGb')}</a>,
                cls: (r) => (r.traffic.exceeded ? 'exceeded' : undefined),
                render: (r) => `${r.traffic.totalGb} (${limitText(r.traffic.limitGb)})`,
              },
            ]}
          />
          <Pager cursors={cursors} setCursors={setCursors} next={load.data.nextCursor} />
        </>
      ) : null}
    </Page>
  );
}

/** One service for all users (a click on the service's column). */
export function ServiceStats({ service }: { service: string }) {
  const path = `/stats/users${qs({ limit: 100 })}`;
  const load = useLoad(() => get<{ month: string; users: StatsRow[] }>(path), [path]);
  const storage = service === 'storage';
  const title = storage ? label('res', 'storageMb') : label('res', 'trafficGb');
  return (
    <Page title={t('stats.serviceTitle', { name: title })} tools={<a href="#/stats">{t('menu.userStats')}</a>}>
      <Loading load={load} />
      {load.data ? (
        <Table
          caption={t('stats.serviceCaption', { name: title, month: load.data.month })}
          csv={{ path, filename: `${service}-${load.data.month}.csv` }}
          rows={load.data.users}
          rowClass={(r) => ((storage ? r.storage.exceeded : r.traffic.exceeded) ? 'exceeded' : undefined)}
          columns={[
            { key: 'username', label: t('signin.username'), render: (r) => <a href={`#/stats/users/${r.username}`}>{r.username}</a> },
            { key: 'used', label: t('stats.used'), render: (r) => (storage ? `${r.storage.usedMb} MB` : bytesText(r.traffic.totalBytes)) },
            { key: 'limit', label: t('overview.max'), render: (r) => limitText(storage ? r.storage.limitMb : r.traffic.limitGb) },
            ...(storage ? [] : [
              { key: 'web', label: t('stats.web'), render: (r: StatsRow) => bytesText(r.traffic.webBytes) },
              { key: 'ftp', label: t('stats.ftp'), render: (r: StatsRow) => bytesText(r.traffic.ftpBytes) },
            ]),
          ]}
        />
      ) : null}
    </Page>
  );
}

/** Detailed stats of one user: the days of the month, web and FTP apart, and the disk measured. */
export function UserDetailStats({ username, query }: { username: string; query?: Record<string, string> }) {
  const path = `/users/${username}/stats${qs({ month: query?.month })}`;
  const load = useLoad(() => get<{ month: string; deleted: boolean; days: Day[]; summary: { totalBytes: number; webBytes: number; ftpBytes: number; diskKb: number | null; trafficExceeded: boolean; storageExceeded: boolean } }>(path), [path]);
  return (
    <Page title={t('stats.userTitle', { name: username })} tools={<a href="#/stats">{t('menu.userStats')}</a>}>
      <Loading load={load} notFound={t('users.notFound')} />
      {load.data ? (
        <>
          {load.data.deleted ? <p class="notice">{t('stats.deletedUser')}</p> : null}
          <dl class="facts">
            <dt>{t('stats.web')}</dt>
            <dd>{bytesText(load.data.summary.webBytes)}</dd>
            <dt>{t('stats.ftp')}</dt>
            <dd class={load.data.summary.trafficExceeded ? 'exceeded' : undefined}>{bytesText(load.data.summary.ftpBytes)}</dd>
            <dt>{t('stats.total')}</dt>
            <dd class={load.data.summary.trafficExceeded ? 'exceeded' : undefined}>{bytesText(load.data.summary.totalBytes)}</dd>
            <dt>{t('stats.disk')}</dt>
            <dd class={load.data.summary.storageExceeded ? 'exceeded' : undefined}>{load.data.summary.diskKb === null ? '—' : `${load.data.summary.diskKb} KB`}</dd>
          </dl>
          <DayChart days={load.data.days} month={load.data.month} />
          <DayTable days={load.data.days} caption={t('stats.daysOf', { month: load.data.month })} csv={{ path, filename: `${username}-${load.data.month}.csv` }} withDisk />
        </>
      ) : null}
    </Page>
  );
}

function DayTable({ days, caption, csv, withDisk }: { days: Day[]; caption: string; csv: { path: string; filename: string }; withDisk?: boolean }) {
  return (
    <Table
      caption={caption}
      csv={csv}
      rows={days}
      columns={[
        { key: 'day', label: t('stats.day') },
        { key: 'web', label: t('stats.web'), render: (d) => bytesText(d.webBytes) },
        { key: 'ftp', label: t('stats.ftp'), render: (d) => bytesText(d.ftpBytes) },
        { key: 'total', label: t('stats.total'), render: (d) => bytesText(d.totalBytes) },
        ...(withDisk ? [{ key: 'disk', label: t('stats.disk'), render: (d: Day) => (d.diskKb === null || d.diskKb === undefined ? '—' : `${d.diskKb} KB`) }] : []),
      ]}
    />
  );
}

/** The days of a month as bars, web and FTP side by side (SVG; the table below holds the figures). */
export function DayChart({ days, month }: { days: Day[]; month: string }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.webBytes, d.ftpBytes)));
  const w = 20;
  const h = 160;
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${days.length * w + 10} ${h + 20}`} role="img" aria-label={t('stats.chartLabel', { month })}>
        {days.map((d, i) => {
          const web = (d.webBytes / max) * h;
          const ftp = (d.ftpBytes / max) * h;
          return (
            <g key={d.day}>
              <rect class="web" x={i * w + 4} y={h - web} width={7} height={web}>
                <title>{`${d.day} ${t('stats.web')}: ${bytesText(d.webBytes)}`}</title>
              </rect>
              <rect class="ftp" x={i * w + 11} y={h - ftp} width={7} height={ftp}>
                <title>{`${d.day} ${t('stats.ftp')}: ${bytesText(d.ftpBytes)}`}</title>
              </rect>
              {i % 5 === 0 ? (
                <text x={i * w + 4} y={h + 15} font-size="10" fill="currentColor">
                  {d.day.slice(8)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span class="swatch web-swatch" aria-hidden="true" />
        {t('stats.web')}
        <span class="swatch ftp-swatch" aria-hidden="true" />
        {t('stats.ftp')}
      </figcaption>
    </figure>
  );
}

interface Summary {
  month: string;
  webBytes: number;
  ftpBytes: number;
  totalBytes: number;
  totalGb: string | number;
}

/** Stats -> Traffic: each day of the month (chart and table), the month and the two preceding months. */
export function Traffic({ query }: { query?: Record<string, string> }) {
  const path = `/stats/traffic${qs({ month: query?.month })}`;
  const load = useLoad(() => get<{ month: string; days: Day[]; summary: Summary; previousMonths: Summary[] }>(path), [path]);
  const d = load.data;
  return (
    <Page title={t('menu.traffic')} tools={<a href="#/stats">{t('menu.userStats')}</a>}>
      <Loading load={load} />
      {d ? (
        <>
          <h2>{t('traffic.monthly', { month: d.month })}</h2>
          <DayChart days={d.days} month={d.month} />
          <DayTable days={d.days} caption={t('stats.daysOf', { month: d.month })} csv={{ path, filename: `traffic-${d.month}.csv` }} />
          <h2>{t('traffic.summary')}</h2>
          <Table
            caption={t('traffic.summary')}
            rows={[d.summary, ...d.previousMonths]}
            columns={[
              {
                key: 'month',
                label: t('traffic.month'),
                render: (s) => (
                  <a href={`#/stats/traffic?month=${s.month}`} onClick={(e) => (e.preventDefault(), go(`/stats/traffic?month=${s.month}`))}>
                    {s.month}
                  </a>
                ),
              },
              { key: 'web', label: t('stats.web'), render: (s) => bytesText(s.webBytes) },
              { key: 'ftp', label: t('stats.ftp'), render: (s) => bytesText(s.ftpBytes) },
              { key: 'total', label: t('stats.total'), render: (s) => `${s.totalGb} GB` },
            ]}
          />
        </>
      ) : null}
    </Page>
  );
}
