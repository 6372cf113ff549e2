import { RESELLER_LIMIT_NAMES, RESOURCE_NAMES, BOOLEAN_SERVICE_NAMES, BACKUP_MODES, SERVICE_NAMES } from '../../shared/domain/catalog';
import { label, t } from './i18n';
import { Check, Field, Select } from './ui';

export { RESELLER_LIMIT_NAMES, RESOURCE_NAMES, BOOLEAN_SERVICE_NAMES, BACKUP_MODES, SERVICE_NAMES };

/** Limit inputs as text, so an empty box means "not given"; -1 is unlimited. */
export type LimitDraft = Record<string, string>;

export const draftOf = (limits: Record<string, number> | undefined): LimitDraft =>
  Object.fromEntries(Object.entries(limits ?? {}).map(([k, v]) => [k, String(v)]));

/** The numbers given; an input that is not a whole number goes as it is, so the API names it. */
export function limitsOf(draft: LimitDraft): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(draft)) {
    const s = v.trim();
    if (s === '') continue;
    out[k] = /^-?\d+$/.test(s) ? Number(s) : s;
  }
  return out;
}

export function LimitInputs(p: { prefix: string; names: readonly string[]; draft: LimitDraft; onDraft: (d: LimitDraft) => void; legend: string; hint?: string }) {
  return (
    <fieldset class="grid">
      <legend>{p.legend}</legend>
      {p.hint ? <p class="hint wide">{p.hint}</p> : null}
      {p.names.map((n) => (
        <Field key={n} name={`${p.prefix}.${n}`} label={label('res', n)} type="text" value={p.draft[n] ?? ''} onValue={(v) => p.onDraft({ ...p.draft, [n]: v })} />
      ))}
    </fieldset>
  );
}

export type ServiceDraft = Record<string, boolean | string>;

export function ServiceInputs(p: { draft: ServiceDraft; onDraft: (d: ServiceDraft) => void; prefix?: string }) {
  const prefix = p.prefix ?? 'services';
  return (
    <fieldset class="grid">
      <legend>{t('services.legend')}</legend>
      {BOOLEAN_SERVICE_NAMES.map((n) => (
        <Check key={n} name={`${prefix}.${n}`} label={label('svc', n)} checked={p.draft[n] === true} onValue={(v) => p.onDraft({ ...p.draft, [n]: v })} />
      ))}
      <Select
        name={`${prefix}.backup`}
        label={label('svc', 'backup')}
        value={String(p.draft.backup ?? 'no')}
        options={BACKUP_MODES.map((m): [string, string] => [m, label('svc', `backup.${m}`)])}
        onValue={(v) => p.onDraft({ ...p.draft, backup: v })}
      />
    </fieldset>
  );
}
