import { render } from 'preact';
import { useState } from 'preact/hooks';
import { api, claimsOf, get, loadConfig, onExpired, setToken, ApiError } from './api';
import { isLang, t, type MessageKey } from './i18n';
import { getState, go, setState, useAppState, useRoute, type Session } from './state';
import { applySkin, loadSkinLook } from './skin';
import { Field, Form, Status, Submit, useAction } from './ui';
import { routeFor } from './routes';
import './styles.css';

/** Signs in: keeps the token in memory, then wears the reseller's language and design. */
async function signIn(username: string, password: string, newPassword?: string): Promise<void> {
  const out = await api<{ token: string; expiresIn: number }>('POST', '/auth/login', { username, password, ...(newPassword ? { newPassword } : {}) });
  const claims = claimsOf(out.token);
  const groups = claims['cognito:groups'];
  const isOperator = Array.isArray(groups) ? groups.includes('operator') : String(groups ?? '').includes('operator');
  setToken(out.token);
  const session: Session = {
    username,
    role: isOperator ? 'operator' : 'reseller',
    resellerId: claims['custom:resellerId'] ?? null,
    expiresAt: Date.now() + out.expiresIn * 1000,
  };
  if (session.role === 'reseller') {
    const account = await get<{ preferences: { language: string; design: string } }>('/account');
    const lang = isLang(account.preferences.language) ? account.preferences.language : 'en';
    const skin = await loadSkinLook(account.preferences.design).catch(() => null);
    setState({ lang, skin });
  }
  setState({ session, signInNotice: null });
  go(session.role === 'operator' ? '/operator/resellers' : '/general');
}

export function signOut(notice: string | null = null) {
  setToken(null);
  setState({ session: null, skin: null, signInNotice: notice });
  go('/');
}

onExpired(() => signOut(t('session.expired')));

function SignIn() {
  const state = useAppState();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [needsNew, setNeedsNew] = useState(false);
  const action = useAction();
  const submit = () =>
    void action.run(async () => {
      try {
        await signIn(username, password, needsNew ? newPassword : undefined);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'NEW_PASSWORD_REQUIRED') setNeedsNew(true);
        if (e instanceof ApiError && e.status === 401) throw new ApiError(400, e.code, t('signin.failed'));
        throw e;
      }
    }, t('signin.ok'));
  return (
    <main class="signin" id="main">
      <h1>{t('app.title')}</h1>
      {state.signInNotice ? (
        <p class="notice" role="alert">
          {state.signInNotice}
        </p>
      ) : null}
      <Form action={action} onSubmit={submit} label={t('signin.title')}>
        <Field name="username" label={t('signin.username')} value={username} onValue={setUsername} autocomplete="username" required />
        <Field name="password" label={t('signin.password')} type="password" value={password} onValue={setPassword} autocomplete="current-password" required />
        {needsNew ? (
          <Field name="newPassword" label={t('signin.newPassword')} type="password" value={newPassword} onValue={setNewPassword} autocomplete="new-password" required />
        ) : null}
        <Submit action={action} label={t('signin.submit')} />
        <Status action={action} />
      </Form>
      <LanguagePicker />
    </main>
  );
}

function LanguagePicker() {
  const state = useAppState();
  return (
    <p class="lang-pick">
      <button type="button" class="link" lang="en" aria-pressed={state.lang === 'en'} onClick={() => setState({ lang: 'en' })}>
        English
      </button>{' '}
      <button type="button" class="link" lang="de" aria-pressed={state.lang === 'de'} onClick={() => setState({ lang: 'de' })}>
        Deutsch
      </button>
    </p>
  );
}

type MenuItem = [path: string, key: MessageKey];
const RESELLER_MENUS: [MessageKey, MenuItem[]][] = [
  ['menu.general', [['/general', 'menu.overview'], ['/general/password', 'menu.password'], ['/general/language', 'menu.language'], ['/general/messages', 'menu.messages']]],
  ['menu.templates', [['/templates', 'menu.overview'], ['/templates/new', 'menu.createTemplate'], ['/templates/email', 'menu.emailSetup']]],
  ['menu.settings', [['/settings/skins', 'menu.skins'], ['/settings/index', 'menu.indexSetup'], ['/settings/help', 'menu.helpPage']]],
  [
    'menu.users',
    [
      ['/users', 'menu.overview'],
      ['/users/new', 'menu.createUser'],
      ['/users/circular', 'menu.circular'],
      ['/users/frontpage', 'menu.frontpage'],
      ['/users/ssl', 'menu.ssl'],
      ['/users/mysql', 'menu.mysql'],
    ],
  ],
  ['menu.stats', [['/stats', 'menu.userStats'], ['/stats/traffic', 'menu.traffic']]],
];
const OPERATOR_MENUS: [MessageKey, MenuItem[]][] = [
  ['menu.operator', [['/operator/resellers', 'menu.resellers'], ['/operator/resellers/new', 'menu.createReseller'], ['/operator/servers', 'menu.servers']]],
  ['menu.general', [['/general/password', 'menu.password']]],
];

function Nav({ route, menus }: { route: string; menus: [MessageKey, MenuItem[]][] }) {
  const active = menus.findIndex(([, items]) => items.some(([p]) => route === p || route.startsWith(`${p}/`)));
  const [open, setOpen] = useState<number | null>(null);
  const shown = open ?? active;
  return (
    <nav class="menus" aria-label={t('menu.label')}>
      {menus.map(([title, items], i) => (
        <div class="menu" key={title}>
          <button type="button" class="menu-title" aria-expanded={shown === i} aria-controls={`menu-${i}`} onClick={() => setOpen(shown === i ? -1 : i)}>
            {t(title)}
          </button>
          <ul id={`menu-${i}`} hidden={shown !== i}>
            {items.map(([path, key]) => (
              <li key={path}>
                <a href={`#${path}`} aria-current={route === path ? 'page' : undefined}>
                  {t(key)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const state = useAppState();
  const Page = routeFor(route, session.role);
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main-heading')?.focus())}>
        {t('skip')}
      </a>
      <header class="top">
        {state.skin?.logoGif ? <img class="logo" src={`data:image/gif;base64,${state.skin.logoGif}`} alt={t('logo.alt')} width={158} height={67} /> : <span class="brand">{t('app.title')}</span>}
        <span class="who">
          {t('signedInAs', { name: session.username })}
        </span>
        <button type="button" class="secondary" onClick={() => signOut(t('signout.done'))}>
          {t('signout')}
        </button>
      </header>
      <Nav route={route} menus={session.role === 'operator' ? OPERATOR_MENUS : RESELLER_MENUS} />
      <main id="main" class="content">
        <Page.component key={route} {...Page.params} />
      </main>
    </div>
  );
}

function App() {
  const state = useAppState();
  applySkin(state.skin);
  document.documentElement.lang = state.lang;
  return state.session ? <Shell session={state.session} /> : <SignIn />;
}

void loadConfig().then(() => {
  if (getState().session === null && location.hash && location.hash !== '#/') go('/');
  render(<App />, document.getElementById('app')!);
});
