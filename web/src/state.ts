import { useEffect, useState } from 'preact/hooks';

/** The console's session state, kept in memory only (a reload signs out). */
export interface Session {
  username: string;
  role: 'operator' | 'reseller';
  resellerId: string | null;
  expiresAt: number;
}

export interface SkinLook {
  colors: Record<string, string>;
  logoGif: string | null;
}

export interface AppState {
  session: Session | null;
  lang: 'en' | 'de';
  skin: SkinLook | null;
  /** Shown on the sign-in page, e.g. after the token ran out. */
  signInNotice: string | null;
}

let state: AppState = { session: null, lang: 'en', skin: null, signInNotice: null };
const listeners = new Set<() => void>();

export const getState = () => state;
export function setState(patch: Partial<AppState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function useAppState(): AppState {
  const [, force] = useState(0);
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return state;
}

/** The hash route (`#/users/web3` → `/users/web3`): navigation without page loads. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
export const currentRoute = () => decodeURI(location.hash.replace(/^#/, '')) || '/';
export const go = (path: string) => {
  location.hash = path;
};
