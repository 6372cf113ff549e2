import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, downloadCsv } from './api';
import { t, type MessageKey } from './i18n';

type ActionState = { busy: boolean; ok: string | null; error: ApiError | null };

export interface Action extends ActionState {
  run<T>(fn: () => Promise<T>, ok?: string | ((r: T) => string)): Promise<T | undefined>;
  fields: Record<string, string>;
  reset(): void;
}

/** Every action shows its progress and then its result (or the API's error, next to its fields). */
export function useAction(): Action {
  const [st, setSt] = useState<ActionState>({ busy: false, ok: null, error: null });
  return {
    ...st,
    fields: st.error?.fields ?? {},
    reset: () => setSt({ busy: false, ok: null, error: null }),
    async run(fn, ok) {
      setSt({ busy: true, ok: null, error: null });
      try {
        const r = await fn();
        setSt({ busy: false, ok: typeof ok === 'function' ? ok(r) : (ok ?? t('done')), error: null });
        return r;
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, 'CLIENT', e instanceof Error ? e.message : String(e));
        setSt({ busy: false, ok: null, error: err });
        return undefined;
      }
    },
  };
}

/** Message of an error the way a person reads it. */
export function errorText(e: ApiError): string {
  if (e.status === 0 && e.code === 'NETWORK') return t('error.network');
  if (e.status === 401) return t('error.expired');
  if (e.status === 404) return t('error.notFound');
  return e.message;
}

interface FormScope {
  action: Action | null;
  rendered: Set<string>;
}
const FormCtx = createContext<FormScope>({ action: null, rendered: new Set() });

/** A form bound to an action: its fields show the action's field errors; submit never reloads. */
export function Form(props: { action: Action; onSubmit: () => void; children: ComponentChildren; label?: string; class?: string }) {
  const scope: FormScope = { action: props.action, rendered: new Set() };
  return (
    <FormCtx.Provider value={scope}>
      <form
        class={props.class ?? 'form'}
        aria-label={props.label}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!props.action.busy) props.onSubmit();
        }}
      >
        {props.children}
      </form>
    </FormCtx.Provider>
  );
}

let idSeq = 0;
const useId = (name: string) => {
  const [id] = useState(() => `f-${name.replace(/[^a-zA-Z0-9]/g, '-')}-${++idSeq}`);
  return id;
};

/** The form's field error for `name` (and the field counts as shown: Status does not repeat it). */
export function useFieldError(name: string): string | undefined {
  const scope = useContext(FormCtx);
  scope.rendered.add(name);
  return scope.action?.fields[name];
}

function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span class="field-error" id={`${id}-err`}>
      {error}
    </span>
  ) : null;
}

interface FieldProps {
  name: string;
  label: string;
  value: string | number;
  onValue: (v: string) => void;
  type?: string;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  min?: number;
  multiline?: boolean;
  rows?: number;
}

export function Field(p: FieldProps) {
  const id = useId(p.name);
  const error = useFieldError(p.name);
  const describedBy = [error ? `${id}-err` : '', p.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    value: String(p.value),
    required: p.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    onInput: (e: Event) => p.onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <span class="label-row">
        <label for={id}>{p.label}</label>
        {p.required ? (
          <span class="req" aria-hidden="true">
            *
          </span>
        ) : null}
      </span>
      {p.multiline ? <textarea {...common} rows={p.rows ?? 8} /> : <input {...common} type={(p.type ?? 'text') as 'text'} autoComplete={p.autocomplete} min={p.min} />}
      {p.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
}

export function Check(p: { name: string; label: string; checked: boolean; onValue: (v: boolean) => void }) {
  const id = useId(p.name);
  const error = useFieldError(p.name);
  return (
    <div class={`check${error ? ' has-error' : ''}`}>
      <input
        id={id}
        type="checkbox"
        name={p.name}
        checked={p.checked}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => p.onValue((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{p.label}</label>
      <FieldError id={id} error={error} />
    </div>
  );
}

export function Select(p: { name: string; label: string; value: string; options: [string, string][]; onValue: (v: string) => void }) {
  const id = useId(p.name);
  const error = useFieldError(p.name);
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        value={p.value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => p.onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {p.options.map(([v, l]) => (
          <option value={v} key={v}>
            {l}
          </option>
        ))}
      </select>
      <FieldError id={id} error={error} />
    </div>
  );
}

/** Progress, then the result: the API's message, and field errors no field on the page shows. */
export function Status({ action }: { action: Action }) {
  const scope = useContext(FormCtx);
  const leftover = Object.entries(action.fields).filter(([k]) => !scope.rendered.has(k));
  return (
    <div class="status" role="status" aria-live="polite">
      {action.busy ? <span class="busy">{t('working')}</span> : null}
      {action.ok ? <span class="ok">{action.ok}</span> : null}
      {action.error ? (
        <div class="error" role="alert">
          {errorText(action.error)}
          {leftover.length ? (
            <ul>
              {leftover.map(([k, v]) => (
                <li key={k}>
                  <code>{k}</code>: {v}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function Submit({ action, label }: { action: Action; label: string }) {
  return (
    <button type="submit" disabled={action.busy} aria-busy={action.busy ? 'true' : undefined}>
      {label}
    </button>
  );
}

export interface Column<T> {
  key: string;
  label: string;
  render?: (row: T) => ComponentChildren;
  /** A class for the cell, e.g. `exceeded`. */
  cls?: (row: T) => string | undefined;
  header?: ComponentChildren;
}

export function Table<T>(p: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowClass?: (row: T) => string | undefined;
  csv?: { path: string; filename: string };
  empty?: string;
}) {
  const csv = useAction();
  return (
    <div class="table-wrap">
      {p.csv ? (
        <div class="table-tools">
          <button type="button" class="secondary" disabled={csv.busy} onClick={() => void csv.run(() => downloadCsv(p.csv!.path, p.csv!.filename), t('csv.done'))}>
            {t('csv.download')}
          </button>
          <Status action={csv} />
        </div>
      ) : null}
      <div class="scroll" tabIndex={0} role="region" aria-label={p.caption}>
        <table>
          <caption>{p.caption}</caption>
          <thead>
            <tr>
              {p.columns.map((c) => (
                <th scope="col" key={c.key}>
                  {c.header ?? c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.rows.length === 0 ? (
              <tr>
                <td colSpan={p.columns.length}>{p.empty ?? t('table.empty')}</td>
              </tr>
            ) : (
              p.rows.map((r, i) => (
                <tr key={i} class={p.rowClass?.(r)}>
                  {p.columns.map((c) => (
                    <td key={c.key} class={c.cls?.(r)} data-label={c.label}>
                      {c.render ? c.render(r) : String((r as Record<string, unknown>)[c.key] ?? '')}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Loads data for a page; `reload()` after a change. A 404 shows the page's not-found message. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []): { data: T | undefined; error: ApiError | null; loading: boolean; reload: () => void } {
  const [st, setSt] = useState<{ data: T | undefined; error: ApiError | null; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setSt((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setSt({ data, error: null, loading: false }),
      (e: unknown) => live && setSt({ data: undefined, error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...st, reload: () => setN((x) => x + 1) };
}

/** What a page shows while it loads or when loading failed (a 404 names the missing thing). */
export function Loading({ load, notFound }: { load: { error: ApiError | null; loading: boolean }; notFound?: string }) {
  if (load.error) {
    return (
      <div class="error" role="alert">
        {load.error.status === 404 ? (notFound ?? t('error.notFound')) : errorText(load.error)}
      </div>
    );
  }
  return load.loading ? (
    <p class="busy" role="status">
      {t('loading')}
    </p>
  ) : null;
}

export function Page(p: { title: string; children: ComponentChildren; tools?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${p.title} · ${t('app.title')}`;
    (document.getElementById('main-heading') as HTMLElement | null)?.focus();
  }, [p.title]);
  return (
    <section class="page">
      <h1 id="main-heading" tabIndex={-1}>
        {p.title}
      </h1>
      {p.tools ? <nav class="tools" aria-label={t('tools')}>{p.tools}</nav> : null}
      {p.children}
    </section>
  );
}

export const L = (key: MessageKey) => t(key);

/** -1 is shown as "unlimited". */
export const limitText = (v: number | null | undefined) => (v === -1 || v === undefined || v === null ? t('unlimited') : String(v));

export function bytesText(b: number): string {
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${b} B`;
}
