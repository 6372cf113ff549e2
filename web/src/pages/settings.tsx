import { useState } from 'preact/hooks';
import { api, get, ApiError } from '../api';
import { label, t } from '../i18n';
import { setState } from '../state';
import { loadSkinLook, type SkinList } from '../skin';
import { Check, Field, Form, Loading, Page, Select, Status, Submit, useAction, useFieldError, useLoad } from '../ui';

const COLOR_NAMES = ['background', 'text', 'link', 'menuBackground', 'menuText', 'highlight', 'exceeded'] as const;
/** The seed: logo.gif, GIF, 158x67 pixels (the API checks the same, and at most 64 KB). */
export const LOGO = { width: 158, height: 67, maxBytes: 64 * 1024 };
/** A skin archive: at most 96 KB (docs/skins.md); the API checks everything else. */
const ARCHIVE_MAX_BYTES = 96 * 1024;

/** Checks a logo in the browser before it is sent: a GIF of 158x67 pixels, not too large. */
export function checkLogo(bytes: Uint8Array): string | null {
  if (bytes.length > LOGO.maxBytes) return t('skins.logoTooLarge', { kb: LOGO.maxBytes / 1024 });
  const sig = String.fromCharCode(...bytes.subarray(0, 6));
  if (sig !== 'GIF87a' && sig !== 'GIF89a') return t('skins.logoNotGif');
  const width = bytes[6]! | (bytes[7]! << 8);
  const height = bytes[8]! | (bytes[9]! << 8);
  if (width !== LOGO.width || height !== LOGO.height) return t('skins.logoSize', { w: width, h: height });
  return null;
}

const base64 = (bytes: Uint8Array) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

/** Settings -> Skin editor: create a skin from a design or a skin, adjust its colours, upload a logo, delete it. */
export function SkinEditor() {
  const load = useLoad(() => Promise.all([get<SkinList>('/skins'), get<{ preferences: { design: string } }>('/account')]));
  return (
    <Page title={t('menu.skins')}>
      <Loading load={load} />
      {load.data ? <Skins list={load.data[0]} design={load.data[1].preferences.design} reload={load.reload} /> : null}
    </Page>
  );
}

function Skins({ list, design, reload }: { list: SkinList; design: string; reload: () => void }) {
  const [name, setName] = useState('');
  const [from, setFrom] = useState(list.builtIn[0] ?? 'default');
  const create = useAction();
  const [chosen, setChosen] = useState(list.items[0]?.name ?? '');
  const [option, setOption] = useState('colors');
  const [shown, setShown] = useState<{ skin: string; option: string } | null>(null);
  const sources: [string, string][] = [...list.builtIn.map((n): [string, string] => [n, label('design', n)]), ...list.items.map((s): [string, string] => [s.name, s.name])];
  const skin = list.items.find((s) => s.name === shown?.skin);
  /** A change to the skin the reseller wears shows at once. */
  const refreshLook = async (skinName: string) => {
    if (skinName === design) setState({ skin: await loadSkinLook(design) });
  };
  return (
    <>
      <Form action={create} label={t('skins.create')} onSubmit={() => void create.run(async () => (await api('POST', '/skins', { name, from }), setChosen(name), setName(''), reload()), t('skins.created'))}>
        <h2>{t('skins.create')}</h2>
        <Field name="name" label={t('skins.name')} value={name} onValue={setName} required />
        <Select name="from" label={t('skins.from')} value={from} options={sources} onValue={setFrom} />
        <Submit action={create} label={t('next')} />
        <Status action={create} />
      </Form>
      <SkinFromArchive sources={sources} created={(n) => (setChosen(n), reload())} />
      {list.items.length ? (
        <form class="form" aria-label={t('skins.adjust')} onSubmit={(e) => (e.preventDefault(), setShown({ skin: chosen || list.items[0]!.name, option }))}>
          <h2>{t('skins.adjust')}</h2>
          <Select name="skin" label={t('skins.custom')} value={chosen} options={list.items.map((s): [string, string] => [s.name, s.name])} onValue={setChosen} />
          <fieldset>
            <legend>{t('change.choose')}</legend>
            {(['colors', 'logo', 'delete'] as const).map((o) => (
              <div class="check" key={o}>
                <input type="radio" id={`skin-${o}`} name="skin-option" value={o} checked={option === o} onChange={() => setOption(o)} />
                <label for={`skin-${o}`}>{t(`skins.${o}` as 'skins.colors')}</label>
              </div>
            ))}
          </fieldset>
          <button type="submit">{t('next')}</button>
        </form>
      ) : null}
      {skin && shown?.option === 'colors' ? <SkinColors key={skin.name} name={skin.name} colors={skin.colors} done={async () => (await refreshLook(skin.name), reload())} /> : null}
      {skin && shown?.option === 'logo' ? <SkinLogo key={skin.name} name={skin.name} done={async () => (await refreshLook(skin.name), reload())} /> : null}
      {skin && shown?.option === 'delete' ? <SkinDelete key={skin.name} name={skin.name} done={() => (setShown(null), reload())} /> : null}
    </>
  );
}

function SkinColors({ name, colors, done }: { name: string; colors: Record<string, string>; done: () => Promise<void> }) {
  const [v, setV] = useState<Record<string, string>>(colors);
  const action = useAction();
  return (
    <Form action={action} label={t('skins.colors')} onSubmit={() => void action.run(async () => (await api('PATCH', `/skins/${name}`, { colors: v }), await done()), t('saved'))}>
      <h3>{t('skins.colorsOf', { name })}</h3>
      <fieldset class="grid">
        <legend>{t('skins.colors')}</legend>
        {COLOR_NAMES.map((c) => (
          <Field key={c} name={`colors.${c}`} label={label('color', c)} type="color" value={v[c] ?? '#000000'} onValue={(x) => setV({ ...v, [c]: x })} hint={v[c]} />
        ))}
      </fieldset>
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

function SkinLogo({ name, done }: { name: string; done: () => Promise<void> }) {
  const [file, setFile] = useState<Uint8Array | null>(null);
  const action = useAction();
  return (
    <Form
      action={action}
      label={t('skins.logo')}
      onSubmit={() =>
        void action.run(async () => {
          if (!file) throw new ApiError(400, 'VALIDATION', t('skins.logoMissing'), { logoGif: t('skins.logoMissing') });
          const problem = checkLogo(file);
          if (problem) throw new ApiError(400, 'VALIDATION', problem, { logoGif: problem });
          await api('PATCH', `/skins/${name}`, { logoGif: base64(file) });
          await done();
        }, t('skins.logoUploaded'))
      }
    >
      <h3>{t('skins.logoOf', { name })}</h3>
      <FileField onFile={setFile} name="logoGif" label={t('skins.logoFile')} hint={t('skins.logoHint')} accept="image/gif" />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}

/** A file input bound to the form's action: the API's error for `name` shows next to it. */
function FileField({ onFile, name, label, hint, accept }: { onFile: (b: Uint8Array | null) => void; name: string; label: string; hint: string; accept: string }) {
  const error = useFieldError(name);
  const id = `${name}-file`;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="file"
        accept={accept}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
        onChange={async (e) => {
          const f = (e.currentTarget as HTMLInputElement).files?.[0];
          onFile(f ? new Uint8Array(await f.arrayBuffer()) : null);
        }}
      />
      <span class="hint" id={`${id}-hint`}>
        {hint}
      </span>
      {error ? (
        <span class="field-error" id={`${id}-err`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** The seed's "Create from archive": a zip of colors.json and/or logo.gif (docs/skins.md), checked by the API. */
function SkinFromArchive({ sources, created }: { sources: [string, string][]; created: (name: string) => void }) {
  const [name, setName] = useState('');
  const [from, setFrom] = useState('default');
  const [file, setFile] = useState<Uint8Array | null>(null);
  const action = useAction();
  return (
    <Form
      action={action}
      label={t('skins.fromArchive')}
      onSubmit={() =>
        void action.run(async () => {
          if (!file) throw new ApiError(400, 'VALIDATION', t('skins.archiveMissing'), { archive: t('skins.archiveMissing') });
          if (file.length > ARCHIVE_MAX_BYTES) throw new ApiError(400, 'VALIDATION', t('skins.archiveTooLarge'), { archive: t('skins.archiveTooLarge') });
          await api('POST', '/skin-archives', { name, from, archive: base64(file) });
          created(name);
          setName('');
        }, t('skins.created'))
      }
    >
      <h2>{t('skins.fromArchive')}</h2>
      <Field name="name" label={t('skins.archiveName')} value={name} onValue={setName} required />
      <Select name="from" label={t('skins.archiveBase')} value={from} options={sources} onValue={setFrom} />
      <FileField onFile={setFile} name="archive" label={t('skins.archiveFile')} hint={t('skins.archiveHint')} accept=".zip,application/zip" />
      <Submit action={action} label={t('skins.upload')} />
      <Status action={action} />
    </Form>
  );
}

function SkinDelete({ name, done }: { name: string; done: () => void }) {
  const [sure, setSure] = useState(false);
  const action = useAction();
  return (
    <Form action={action} label={t('skins.delete')} onSubmit={() => void action.run(async () => (await api('DELETE', `/skins/${name}`), done()), t('deleted'))}>
      <Check name="confirm" label={t('skins.deleteOne', { name })} checked={sure} onValue={setSure} />
      <button type="submit" disabled={!sure || action.busy}>
        {t('next')}
      </button>
      <Status action={action} />
    </Form>
  );
}

/** Settings -> Index setup: the HTML page new users get (##user## is the username). */
export function IndexSetup() {
  return <HtmlPage title={t('menu.indexSetup')} path="/settings/index-page" hint={t('index.hint')} nullable />;
}

/** Settings -> Help page: HTML shown in the users' interface. */
export function HelpPage() {
  return <HtmlPage title={t('menu.helpPage')} path="/settings/help-page" hint={t('help.hint')} />;
}

function HtmlPage({ title, path, hint, nullable }: { title: string; path: string; hint: string; nullable?: boolean }) {
  const load = useLoad(() => get<{ html: string | null }>(path), [path]);
  return (
    <Page title={title}>
      <p class="hint">{hint}</p>
      <Loading load={load} />
      {load.data ? <HtmlForm path={path} initial={load.data.html ?? ''} title={title} nullable={nullable} /> : null}
    </Page>
  );
}

function HtmlForm({ path, initial, title, nullable }: { path: string; initial: string; title: string; nullable?: boolean }) {
  const [html, setHtml] = useState(initial);
  const action = useAction();
  return (
    <Form action={action} label={title} onSubmit={() => void action.run(() => api('PUT', path, { html: nullable && html.trim() === '' ? null : html }), t('saved'))}>
      <Field name="html" label={t('html.code')} value={html} onValue={setHtml} multiline rows={14} />
      <Submit action={action} label={t('apply')} />
      <Status action={action} />
    </Form>
  );
}
