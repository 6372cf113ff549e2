/// <reference lib="dom" />
/**
 * The console in a real headless Chromium against the whole product on its own runtime (so the dev
 * clock can move): the "Done means" walked as an operator and a reseller would.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { strToU8, zipSync } from 'fflate';
import { gifBytes } from '../support/gif';
import { ensureConsoleBuilt, CONSOLE_DIST } from '../../infra/local/console-files';
import { startOwnRuntime, type OwnRuntime } from '../support/own-runtime';
import { DESKTOP, PHONE, openBrowser, visit, type Browser } from './browser';

// A browser step waits on real rendering and the real local parts; the machine may be busy.
vi.setConfig({ testTimeout: 120_000 });

let own: OwnRuntime;
let browser: Browser;
let page: Page;
const reseller = { username: 'webshop', password: 'webshop-password-1', email: 'ops@webshop.example' };
let userName = '';
let token: string | undefined;
/** The reseller's own token, for checking through the API what the console did. */
async function resellerToken(): Promise<string> {
  token ??= (await own.call('POST', '/auth/login', { username: reseller.username, password: reseller.password })).body.token as string;
  return token!;
}

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
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('visits every menu page of the seed without an accessibility violation', async () => {
    await signIn(reseller.username, reseller.password);
    const pages: [string, string, string][] = [
      ['General', 'Change password', 'general-password'],
      ['General', 'Language/Design', 'general-language'],
      ['General', 'Messages', 'general-messages'],
      ['Templates', 'Overview', 'templates-overview'],
      ['Templates', 'E-mail setup', 'templates-email'],
      ['Settings', 'Index setup', 'settings-index'],
      ['Settings', 'Help page', 'settings-help'],
      ['Users', 'Overview', 'users-overview'],
      ['Users', 'FrontPage', 'users-frontpage'],
      ['Users', 'SSL', 'users-ssl'],
      ['Users', 'MySQL', 'users-mysql'],
      ['Stats', 'User stats', 'stats-users'],
      ['Stats', 'Traffic', 'stats-traffic'],
    ];
    for (const [group, item, name] of pages) {
      await menu(group, item);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await visit(page, name);
    }
    // E-mail setup with the tag list, for users without a template.
    await menu('Templates', 'E-mail setup');
    await page.getByRole('button', { name: 'Select template' }).click();
    await page.getByText('##password##').waitFor();
    await visit(page, 'templates-email-editor');
  });

  it('creates a template with a billing plan through the plan wizard', async () => {
    await menu('Templates', 'Create template');
    const form = page.getByRole('form', { name: 'Create template' });
    await form.getByLabel('Template name', { exact: true }).fill('basic');
    await form.locator('[name="limits.storageMb"]').fill('1200');
    await form.locator('[name="limits.pop3Boxes"]').fill('2');
    await form.locator('[name="limits.trafficGb"]').fill('10');
    await form.locator('[name="limits.ftpUsers"]').fill('x');
    await form.getByLabel('FTP', { exact: true }).check();
    await form.getByLabel('PHP', { exact: true }).check();
    await form.getByRole('button', { name: 'Create template' }).click();
    // The API names limits.ftpUsers; the message sits next to that field.
    await form.locator('.field.has-error [name="limits.ftpUsers"]').waitFor();
    await form.locator('[name="limits.ftpUsers"]').fill('1');
    await form.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('heading', { name: 'Change template' }).waitFor();
    await visit(page, 'template-change');
    await page.getByRole('link', { name: 'Billing plan of basic' }).click();
    await page.getByRole('heading', { name: 'Billing plan of basic' }).waitFor();
    await page.getByLabel('Traffic (GB) included', { exact: true }).check();
    await page.getByLabel('Disk quota (MB) included', { exact: true }).check();
    await visit(page, 'plan-step1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('[name="plan.resources.traffic.recurrent"]').fill('2');
    await page.locator('[name="plan.resources.disk_quota.recurrent"]').fill('0,01');
    await page.locator('[name="plan.resources.disk_quota.setup"]').fill('0,01');
    await visit(page, 'plan-step2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('[name="plan.resources.traffic.free"]').fill('5');
    await page.locator('[name="plan.resources.disk_quota.free"]').fill('1000');
    await page.getByLabel('Credit limit', { exact: true }).fill('50');
    await visit(page, 'plan-step3');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.getByText('The plan was saved.').waitFor();
    const templates = await own.call('GET', '/templates', undefined, await resellerToken());
    const basic = templates.body.items.find((x: { name: string }) => x.name === 'basic');
    const plan = await own.call('GET', `/templates/${basic.id}/plan`, undefined, await resellerToken());
    expect(plan.body.plan.resources.disk_quota).toMatchObject({ recurrent: '0.01', setup: '0.01', free: '1000' });
  });

  it('creates a user through the 5-step wizard, seeing the exceeded maximum in the dry run, and sees it applied', async () => {
    await menu('Users', 'Create User');
    await page.getByRole('heading', { name: 'Step 1. Select template' }).waitFor();
    await page.getByLabel('Template', { exact: true }).selectOption({ label: 'basic' });
    await visit(page, 'wizard-step1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Step 2. User service settings' }).waitFor();
    expect(await page.locator('[name="limits.storageMb"]').inputValue()).toBe('1200');
    await visit(page, 'wizard-step2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('First name', { exact: true }).first().fill('Jane');
    await page.getByLabel('Last name', { exact: true }).first().fill('Doe');
    await page.getByLabel('E-mail', { exact: true }).first().fill('not-an-address');
    await visit(page, 'wizard-step3');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Domain', { exact: true }).fill('jane-doe-example.com');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'jane-doe-example.com', exact: true }).waitFor();
    await visit(page, 'wizard-step4');
    await page.getByRole('button', { name: 'Next' }).click();
    // The dry run refuses the e-mail address: the wizard goes back to step 3, the error at the field.
    await page.getByRole('heading', { name: 'Step 3. Enter personal data' }).waitFor();
    await page.locator('.field.has-error [name="personal.email"]').waitFor();
    await page.getByLabel('E-mail', { exact: true }).first().fill('jane@example.com');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    const report = page.getByRole('region', { name: 'Dry-run report' });
    await report.waitFor();
    expect(await report.textContent()).toContain('Storage space (MB): 1200 of maximum 1000');
    await visit(page, 'wizard-step5-dry-run');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(/User web\d+ was created\./).waitFor();
    await visit(page, 'wizard-created');
    const link = page.getByRole('link', { name: /^Open web\d+$/ });
    userName = ((await link.textContent()) ?? '').replace('Open ', '');
    await link.click();
    await page.getByTestId('provisioning-status').filter({ hasText: 'applied' }).waitFor({ timeout: 30_000 });
    await visit(page, 'user-applied');
  });

  it('locks and unlocks the user through Change User', async () => {
    for (const [option, button, status] of [['Lock user', `Lock ${userName}`, 'locked'], ['Unlock user', `Unlock ${userName}`, 'enabled']] as const) {
      await page.getByLabel(option, { exact: true }).check();
      await page.getByRole('form', { name: 'Change user' }).getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: button }).click();
      await page.getByTestId('user-status').filter({ hasText: status }).waitFor();
      await visit(page, `user-${status}`);
      const u = await own.call('GET', `/users/${userName}`, undefined, await resellerToken());
      expect(u.body.status).toBe(status);
    }
  });

  it('sends a circular to the selected recipients', async () => {
    await menu('Users', 'Circular to all users');
    await page.getByLabel('Subject', { exact: true }).fill('Maintenance on Sunday');
    await page.getByLabel('Text', { exact: true }).fill('Dear ##firstName##, the servers are maintained on Sunday.');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('option', { name: new RegExp(userName) }).waitFor();
    await visit(page, 'circular-recipients');
    await page.getByRole('button', { name: 'Send to selected recipients' }).click();
    await page.getByText(/circular (was sent to|is being sent to) 1 users/).waitFor();
    await visit(page, 'circular-sent');
  });

  it('opens the billing account and reads the ledger after the dev clock moved', async () => {
    await page.goto(`${own.rt.url}/#/users/${userName}/billing`);
    await page.getByText('This user has no billing account yet.').waitFor();
    await page.getByLabel('Template', { exact: true }).selectOption({ label: 'basic' });
    await page.getByRole('button', { name: 'Open billing account' }).click();
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
    await visit(page, 'billing-opened');
    const before = await page.getByRole('table', { name: 'Ledger' }).locator('tbody tr').count();
    const moved = await own.call('POST', '/__dev/clock', { advanceDays: 31 }, own.operatorToken);
    expect(moved.status).toBe(200);
    await page.getByRole('link', { name: `User ${userName}` }).click();
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
    const ledger = page.getByRole('table', { name: 'Ledger' });
    await expect.poll(() => ledger.locator('tbody tr').count()).toBeGreaterThan(before);
    // The renewal of the next period is booked on the day the clock moved to.
    expect(await ledger.textContent()).toContain(String(moved.body.now).slice(0, 10));
    await visit(page, 'billing-ledger');
  });

  it('changes the skin and sees the colours change', async () => {
    const nav = page.getByRole('navigation', { name: 'Menu' });
    const before = await nav.evaluate((el) => getComputedStyle(el).backgroundColor);
    await menu('Settings', 'Skin editor');
    await page.getByLabel('Skin name', { exact: true }).fill('acme');
    await page.getByLabel('Create from skin', { exact: true }).selectOption('default');
    await page.getByRole('form', { name: 'Create new skin' }).getByRole('button', { name: 'Next' }).click();
    await page.getByText('The skin was created.').waitFor();
    await page.getByRole('form', { name: 'Adjust custom skin' }).getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Menu background', { exact: true }).fill('#0b4f6c');
    await page.getByLabel('Menu text', { exact: true }).fill('#ffffff');
    await page.getByRole('form', { name: 'Adjust colors' }).getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('form', { name: 'Adjust colors' }).getByText('Saved.').waitFor();
    await visit(page, 'settings-skins');
    await menu('General', 'Language/Design');
    await page.getByLabel('Design', { exact: true }).selectOption('acme');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(() => nav.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 79, 108)');
    expect(before).not.toBe('rgb(11, 79, 108)');
    await visit(page, 'skin-applied');
  });

  it('creates a skin from an archive: a refused zip shows the API\'s error next to the file field, a good one is in the list', async () => {
    await menu('Settings', 'Skin editor');
    const form = page.getByRole('form', { name: 'Create from archive' });
    await form.getByLabel('Name of the skin from the archive', { exact: true }).fill('zipped');
    await form.getByLabel('Colours not in the archive from', { exact: true }).selectOption('ocean');
    const file = form.getByLabel('Skin archive (zip)', { exact: true });
    // A file the skin does not use: the API refuses it naming `archive`, shown at the field.
    await file.setInputFiles({ name: 'bad.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync({ 'evil.txt': strToU8('x') })) });
    await form.getByRole('button', { name: 'Upload' }).click();
    const error = form.locator('#archive-file-err');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/evil\.txt/);
    expect(await file.getAttribute('aria-invalid')).toBe('true');
    expect(await file.getAttribute('aria-describedby')).toContain('archive-file-err');
    await visit(page, 'skin-archive-refused');

    const good = zipSync({ 'colors.json': strToU8(JSON.stringify({ link: '#0b4f6c', highlight: '#bfe6f5' })), 'logo.gif': new Uint8Array(gifBytes(158, 67)) });
    await file.setInputFiles({ name: 'skin.zip', mimeType: 'application/zip', buffer: Buffer.from(good) });
    await form.getByRole('button', { name: 'Upload' }).click();
    await form.getByText('The skin was created.').waitFor();
    expect(await form.locator('#archive-file-err').count()).toBe(0);
    // The new skin is in the list of custom skins, chosen for adjusting.
    const list = page.getByRole('form', { name: 'Adjust custom skin' }).getByLabel('custom skin', { exact: true });
    await expect.poll(() => list.locator('option').allTextContents()).toContain('zipped');
    expect(await list.inputValue()).toBe('zipped');
    const stored = await own.call('GET', '/skins/zipped', undefined, await resellerToken());
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ basedOn: 'ocean', hasLogo: true, colors: { link: '#0b4f6c', highlight: '#bfe6f5', menuBackground: '#0b4f6c' } });
    await visit(page, 'skin-archive-created');
  });

  it("handles another reseller's resource as not found", async () => {
    const other = await own.reseller('otherco', { users: 5 });
    const theirs = await own.call('POST', '/users', { personal: { firstName: 'Ot', lastName: 'Her', email: 'o@example.com' } }, other.token);
    expect(theirs.status).toBe(201);
    for (const path of [`/users/${theirs.body.username}`, `/users/${theirs.body.username}/billing`, `/stats/users/${theirs.body.username}`]) {
      await page.goto(`${own.rt.url}/#${path}`);
      await page.getByText('This user does not exist.').waitFor();
      expect(await page.content()).not.toContain('o@example.com');
    }
    await visit(page, 'foreign-user-404');
  });

  it("signs in in the reseller's language (German)", async () => {
    expect((await own.call('PUT', '/account/preferences', { language: 'de' }, await resellerToken())).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username', { exact: true }).fill(reseller.username);
    await page.getByLabel('Password', { exact: true }).fill(reseller.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    await page.getByRole('heading', { name: 'Übersicht' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await visit(page, 'general-overview-de');
  });
});

describe('the console on a phone-sized screen', () => {
  it('shows the overview, the user list and the wizard at 390x844', async () => {
    const phone = await openBrowser(PHONE);
    try {
      const p = phone.page;
      await p.goto(`${own.rt.url}/`);
      await p.getByLabel('Username', { exact: true }).fill(reseller.username);
      await p.getByLabel('Password', { exact: true }).fill(reseller.password);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Übersicht' }).waitFor();
      await visit(p, 'phone-overview');
      await p.goto(`${own.rt.url}/#/users`);
      await p.getByRole('link', { name: userName }).waitFor();
      await visit(p, 'phone-users');
      await p.goto(`${own.rt.url}/#/users/new`);
      await p.getByRole('heading', { name: 'Schritt 1. Vorlage wählen' }).waitFor();
      await visit(p, 'phone-wizard');
      // Nothing wider than the screen: no sideways scrolling of the page.
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    } finally {
      await phone.close();
    }
  }, 120_000);
});
