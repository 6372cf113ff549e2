import { en } from './en';
import { de } from './de';
import { getState } from '../state';

/** One message catalogue per language; every visible string goes through `t`. */
export type MessageKey = keyof typeof en;
export const LANGUAGES = { en, de } as const;
export type Lang = keyof typeof LANGUAGES;

export const isLang = (l: unknown): l is Lang => typeof l === 'string' && l in LANGUAGES;

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const catalog: Record<string, string> = LANGUAGES[getState().lang];
  let s = catalog[key] ?? en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** A label from the catalogue for an API name (resource, service, colour), or the name itself. */
export function label(prefix: 'res' | 'svc' | 'color' | 'field' | 'plan' | 'design', name: string): string {
  const key = `${prefix}.${name}` as MessageKey;
  return key in en ? t(key) : name;
}
