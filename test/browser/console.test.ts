/// <reference lib="dom" />
/**
 * The console in a real headless Chromium against the whole product on its own runtime (so the dev
 * clock can move): the "Done means" walked as an operator and a reseller would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt, CONSOLE_DIST } from '../../infra/local/console-files';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';
import { DESKTOP, openBrowser, visit, type Browser } from './browser';

let own: OwnRuntime;
let browser: Browser;
let page: Page;
const reseller = { username: 'webshop', password: 'webshop-password-1', email: 'ops@webshop.example' };

async function signIn(username: string, password: string) {
  await page.goto(`${own.rt.url}/`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function menu(group: string, item: string) {
  const nav = page.getByRole('navigation', { name: 'Menu' });
  const link = nav.getByRole('link', { name: item, exact: true });
  if (!(await link.isVisible())) await nav.getByRole('button', { name: group, exact: true }).click();
  await link.click();
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  own = await startOwnRuntime('browser', '2026-03-10T10:00:00Z', { consoleDir: CONSOLE_DIST });
  browser = await openBrowser(DESKTOP);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await own?.stop();
});

describe('the console, as the operator', () => {
  it('serves the sign-in page at GET / and refuses a wrong password with a clear message', async () => {
    await page.goto(`${own.rt.url}/`);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    await visit(page, 'signin');
    await page.getByLabel('Username', { exact: true }).fill('operator');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Username or password is wrong').waitFor();
  });

  it('signs in as the operator and creates a reseller with limits and a hard limit', async () => {
    await signIn('operator', 'browser-operator-password');
    await visit(page, 'operator-resellers');
    await menu('Operator', 'Create reseller');
    const form = page.getByRole('form', { name: 'Create reseller' });
    await form.getByLabel('Username', { exact: true }).fill(reseller.username);
    await form.getByLabel('Password', { exact: true }).fill('short');
    await form.getByLabel('E-mail', { exact: true }).fill(reseller.email);
    await form.locator('[name="limits.users"]').fill('1');
    await form.locator('[name="limits.storageMb"]').fill('1000');
    await form.locator('[name="limits.trafficGb"]').fill('-1');
    await form.locator('[name="hardLimits.users"]').fill('5');
    await form.getByRole('button', { name: 'Create reseller' }).click();
    // The API's field error appears next to the field it names.
    const passwordError = form.locator('.field.has-error', { has: page.locator('[name="password"]') }).locator('.field-error');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toMatch(/characters/);
    await visit(page, 'operator-create-reseller-error');
    await form.getByLabel('Password', { exact: true }).fill(reseller.password);
    await form.getByRole('button', { name: 'Create reseller' }).click();
    await page.getByRole('heading', { name: `Reseller ${reseller.username}` }).waitFor();
    await visit(page, 'operator-reseller');
    const list = await own.call('GET', '/operator/resellers', undefined, own.operatorToken);
    expect(list.body.items.map((r: { username: string }) => r.username)).toContain(reseller.username);
    await menu('Operator', 'Servers');
    await page.getByRole('cell', { name: 'local-1', exact: true }).waitFor();
    await visit(page, 'operator-servers');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
  });
});

describe('the console, as the reseller', () => {
  it('signs in and shows the overview with used and (maximum)', async () => {
    await signIn(reseller.username, reseller.password);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const users = page.getByRole('row', { name: /^Users/ });
    expect(await users.textContent()).toContain('0 (1)');
    await visit(page, 'general-overview');
  });

  it('shows a clear message when the token has expired (401 from the API)', async () => {
    // The token is only in memory: a reload signs out; here the API refuses a token that was revoked.
    await page.evaluate(() => {
      const orig = window.fetch;
      window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        if (headers.has('authorization')) headers.set('authorization', 'Bearer expired.token.value');
        return orig(input, { ...init, headers });
      };
    });
    await menu('General', 'Messages');
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    await visit(page, 'session-expired');
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);
    await page.reload();
  });
});
