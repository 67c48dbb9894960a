/**
 * The dashboard end to end, in order, against one fresh server: first run, admin set-up of a
 * sandbox carrier, compose → delivered live, inbound live with unread badge, MMS inline, XSS
 * shown as text, logs filter and CSV, an agent refused the admin pages, and the 360 px layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCall, launchBrowser, screenshot, signIn } from './helpers';

const baseUrl = inject('baseUrl');
const OWNER = { email: 'owner@example.com', password: 'correct horse battery', name: 'Olivia Owner' };
const AGENT = { email: 'agent@example.com', password: 'agent password 1', name: 'Andy Agent' };
// The first owner gets a sandbox account with +15550100001; the test adds a second one.
const OUR_NUMBER = '+15550100002';
const OUR_LABEL = '+1 555 010 0002';
/** Compose's From option names the line and its carrier account (issue 12). */
const OUR_OPTION = `${OUR_LABEL} — Sandbox carrier · sandbox`;
const CUSTOMER = '+15550102000';
const INBOUND_FROM = '+15550103000';
const XSS_FROM = '+15550104000';
const XSS_BODY = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`;
const PNG = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../web/public/icon-192.png'));

let browser: Browser;
let owner: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await owner.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    pageErrors.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
});

async function statusOf(p: Page, messageText: string): Promise<string | null> {
  return p.locator('[data-testid=message]', { hasText: messageText }).locator('[data-testid=message-status]').getAttribute('data-status');
}

describe('Switchboard dashboard', () => {
  it('creates the owner on first run', async () => {
    await page.goto(baseUrl);
    await page.waitForURL(/\/setup$/);
    await page.fill('input[name=tenantName]', 'Acme Plumbing');
    await page.fill('input[name=name]', OWNER.name);
    await page.fill('input[name=email]', OWNER.email);
    await page.fill('input[name=password]', OWNER.password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/inbox/);
    await expect.poll(() => page.locator('.topbar .who').textContent()).toContain(OWNER.name);
    await page.locator('[data-testid=live-state]', { hasText: 'Live' }).waitFor();
    // A second visit to /setup no longer offers set-up.
    const setup = await owner.request.get(`${baseUrl}/api/v1/auth/setup`);
    expect(await setup.json()).toEqual({ needsSetup: false });
  });

  it('sets up a sandbox provider account and a number in the admin pages', async () => {
    await page.click('a[href="/admin"]');
    await page.waitForURL(/\/admin\/providers/);
    // First run provisioned a sandbox account and number for the owner.
    await page.locator('[data-testid=account-card]', { hasText: 'Sandbox' }).first().waitFor();
    await page.click('[data-testid=add-provider]');
    const form = page.locator('[data-testid=account-form]');
    await form.locator('select[name=type]').selectOption('sandbox');
    await form.locator('input[name=name]').fill('Sandbox carrier');
    // Slow callbacks a little so the thread shows the statuses moving.
    await form.locator('input[name=cred-deliveryDelayMs]').fill('600');
    await page.click('[data-testid=save-account]');
    const card = page.locator('[data-testid=account-card]', { hasText: 'Sandbox carrier' });
    await card.waitFor();
    expect(await card.locator('code').first().textContent()).toMatch(new RegExp(`^${baseUrl}/webhook/sandbox/sms/`));

    await page.click('a[href="/admin/numbers"]');
    await page.click('[data-testid=add-number]');
    const numberForm = page.locator('[data-testid=number-form]');
    await numberForm.locator('input[name=number]').fill(OUR_NUMBER);
    await numberForm.locator('select[name=providerAccountId]').selectOption({ label: 'Sandbox carrier (sandbox)' });
    await numberForm.locator('label.check', { hasText: OWNER.name }).locator('input').check();
    await numberForm.locator('input[name=defaultCountry]').fill('US');
    await page.click('[data-testid=save-number]');
    await page.locator('[data-testid=number-row]', { hasText: OUR_LABEL }).waitFor();
    expect(await page.locator('[data-testid=number-form]').count()).toBe(0);

    // The Test button shows the provider's answer.
    await page.click('a[href="/admin/providers"]');
    await card.locator('input[name=testTo]').fill('+15550109999');
    await card.locator('[data-testid=test-account]').click();
    await expect.poll(async () => (await card.locator('[data-testid=test-result]').textContent()) ?? '', { timeout: 10_000 }).toContain('"ok": true');
    await screenshot(page, 'admin-providers');
    await page.click('a[href="/admin/numbers"]');
    await screenshot(page, 'admin-numbers');
  });

  it('composes a message and watches it reach delivered live', async () => {
    await page.click('a[href="/compose"]');
    await page.waitForURL(/\/compose/);
    await page.selectOption('[data-testid=from-select]', { label: OUR_OPTION });
    await page.fill('#to-input', '(555) 010-2000');
    await expect.poll(() => page.locator('[data-testid=normalised]').textContent()).toContain(CUSTOMER);
    await page.fill('textarea[name=body]', 'Your plumber arrives at 10:00 ✓');
    await expect.poll(() => page.locator('[data-testid=encoding]').textContent()).toBe('UCS-2');
    expect(await page.locator('[data-testid=ucs2-chars]').textContent()).toContain('✓');
    await page.fill('textarea[name=body]', 'Your plumber arrives at 10:00 tomorrow.');
    expect(await page.locator('[data-testid=encoding]').textContent()).toBe('GSM-7');
    expect(await page.locator('[data-testid=segments]').textContent()).toContain('1 segment');
    await screenshot(page, 'compose');
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/conv_|\/inbox\/[^/]+$/);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const status = await statusOf(page, 'Your plumber arrives');
          if (status) seen.add(status);
          return status;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('delivered');
    // It moved through earlier states on screen, with no reload.
    expect([...seen].some((s) => s !== 'delivered')).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    // The history is in the status tooltip.
    const history = () => page.locator('[data-testid=message]', { hasText: 'Your plumber arrives' }).locator('.history-pop').textContent();
    await expect.poll(history).toContain('Delivered');
    expect(await history()).toContain('Queued');
  });

  it('shows a failed message with its reason and re-sends it', async () => {
    await page.click('a[href="/compose"]');
    await page.selectOption('[data-testid=from-select]', { label: OUR_OPTION });
    await page.fill('#to-input', '+1 555 010 0666');
    await page.fill('textarea[name=body]', 'This one cannot arrive');
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/[^/]+$/);
    const failed = page.locator('[data-testid=message]', { hasText: 'This one cannot arrive' });
    await expect.poll(() => failed.first().locator('[data-testid=message-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('undelivered');
    await expect.poll(() => failed.first().locator('[data-testid=failure]').textContent()).toContain('unreachable');
    await failed.first().locator('[data-testid=retry-button]').click();
    await expect.poll(() => failed.count(), { timeout: 10_000 }).toBe(2);
  });

  it('shows an inbound message live in the open inbox with its unread badge', async () => {
    await page.click('a[href="/inbox"]');
    await page.waitForURL(/\/inbox$/);
    await page.locator('[data-testid=conversation]').first().waitFor();
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const sent = await apiCall(owner, baseUrl, 'POST', '/sandbox/inbound', { from: INBOUND_FROM, to: OUR_NUMBER, body: 'Is the leak fixed?' });
    expect(sent.status).toBe(202);
    const row = page.locator('[data-testid=conversation]', { hasText: 'Is the leak fixed?' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('[data-testid=unread-badge]').textContent()).toBe('1');
    await expect.poll(() => page.locator('[data-testid=nav-unread]').textContent()).toBe('1');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await screenshot(page, 'inbox');
    // Opening it marks it read.
    await row.click();
    await page.locator('[data-testid=message-body]', { hasText: 'Is the leak fixed?' }).waitFor();
    await expect.poll(() => page.locator('[data-testid=conversation]', { hasText: 'Is the leak fixed?' }).locator('[data-testid=unread-badge]').count()).toBe(0);
    await page.click('[data-testid=mark-unread]');
    await expect.poll(() => page.locator('[data-testid=conversation]', { hasText: 'Is the leak fixed?' }).locator('[data-testid=unread-badge]').count()).toBe(1);
  });

  it('shows an MMS picture inline (sent from the sandbox phone)', async () => {
    await page.click('a[href="/sandbox"]');
    await page.locator('[data-testid=sandbox-phone]').waitFor();
    await page.fill('input[name=handset]', INBOUND_FROM);
    await page.selectOption('select[name=sandboxTo]', { label: OUR_LABEL });
    await page.setInputFiles('[data-testid=phone-file]', { name: 'leak.png', mimeType: 'image/png', buffer: PNG });
    await page.fill('input[name=phoneBody]', 'Here is a photo of the leak');
    await page.click('[data-testid=phone-send]');
    await page.locator('[data-testid=phone-message]', { hasText: 'Here is a photo of the leak' }).waitFor({ timeout: 10_000 });
    await page.click('a[href="/inbox"]');
    await page.locator('[data-testid=conversation]', { hasText: 'Here is a photo of the leak' }).click();
    const image = page.locator('[data-testid=message]', { hasText: 'Here is a photo of the leak' }).locator('img[data-testid=media-image]');
    await image.waitFor({ timeout: 10_000 });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(192);
    // A reply from the thread reaches the sandbox phone.
    await page.fill('.reply textarea[name=body]', 'Thanks, on our way');
    await page.click('.reply [data-testid=send-button]');
    await page.locator('[data-testid=message-body]', { hasText: 'Thanks, on our way' }).waitFor();
    await screenshot(page, 'thread');
    await page.click('a[href="/sandbox"]');
    await page.fill('input[name=handset]', INBOUND_FROM);
    await page.selectOption('select[name=sandboxTo]', { label: OUR_LABEL });
    await page.locator('[data-testid=phone-message]', { hasText: 'Thanks, on our way' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'sandbox-phone');
  });

  it('shows a hostile message body literally and runs none of it', async () => {
    await page.click('a[href="/inbox"]');
    const sent = await apiCall(owner, baseUrl, 'POST', '/sandbox/inbound', { from: XSS_FROM, to: OUR_NUMBER, body: XSS_BODY });
    expect(sent.status).toBe(202);
    const row = page.locator('[data-testid=conversation]', { hasText: '<script>' });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    const body = page.locator('[data-testid=message-body]', { hasText: '<script>' });
    await body.waitFor();
    expect(await body.textContent()).toBe(XSS_BODY);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.locator('[data-testid=thread] script').count()).toBe(0);
  });

  it('links a "not linked" conversation to a new contact and finds it in compose and contacts', async (context) => {
    const probe = await owner.request.get(`${baseUrl}/api/v1/contacts?limit=1`);
    if (probe.status() === 404) context.skip();
    await page.click('a[href="/inbox"]');
    await page.locator('.chip', { hasText: 'Not linked' }).click();
    const row = page.locator('[data-testid=conversation]', { hasText: '+1 555 010 3000' });
    await row.click();
    await page.click('text=Link contact');
    await page.fill('.popover input', 'Pat Customer');
    await page.locator('.popover button', { hasText: 'New contact' }).click();
    await expect.poll(() => page.locator('[data-testid=thread-title]').textContent(), { timeout: 10_000 }).toBe('Pat Customer');
    // No longer under "Not linked".
    await expect.poll(() => page.locator('[data-testid=conversation]', { hasText: 'Pat Customer' }).count()).toBe(0);

    await page.click('a[href="/compose"]');
    await page.fill('#to-input', 'Pat');
    await page.locator('[data-testid=contact-results] button', { hasText: 'Pat Customer' }).click();
    expect(await page.locator('[data-testid=recipient]').textContent()).toContain('Pat Customer');

    await page.click('a[href="/contacts"]');
    await page.locator('[data-testid=contact-list] a', { hasText: 'Pat Customer' }).click();
    await page.locator('.bubble .body', { hasText: 'Is the leak fixed?' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'contacts');
    // CSV import reports progress and the lines it could not import.
    const csv = 'name,phone,tags\nAlice Able,+15550105001,vip\nBob Baker,(555) 010-5002,\nNo Phone,,\n';
    await page.setInputFiles('[data-testid=contact-import] input[type=file]', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => page.locator('[data-testid=import-imported]').textContent(), { timeout: 10_000 }).toBe('Imported 2 contacts.');
    expect(await page.locator('[data-testid=import-failure]').allTextContents()).toEqual([expect.stringMatching(/^Line 4: /)]);
    await page.locator('[data-testid=contact-list] a', { hasText: 'Bob Baker' }).waitFor();
    expect(await page.locator('[data-testid=contact-list] a', { hasText: 'Bob Baker' }).textContent()).toContain('+1 555 010 5002');
  });

  it('filters the logs and downloads them as CSV', async () => {
    await page.click('a[href="/logs"]');
    await page.locator('[data-testid=log-row]').first().waitFor();
    await page.locator('[data-testid=day-chart] rect').first().waitFor();
    await page.selectOption('select[name=direction]', 'inbound');
    await page.fill('input[name=q]', 'leak fixed');
    await page.click('[data-testid=log-filters] button[type=submit]');
    await expect.poll(() => page.locator('[data-testid=log-row]').count()).toBe(1);
    expect(await page.locator('[data-testid=log-row]').textContent()).toContain('Is the leak fixed?');
    expect(await page.locator('[data-testid=log-total]').textContent()).toContain('1 message');
    await screenshot(page, 'logs');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv-export]')]);
    const file = await download.path();
    const csv = fs.readFileSync(file!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^id,createdAt,direction,from,to,status/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('Is the leak fixed?');
    expect(download.suggestedFilename()).toMatch(/^messages-.*\.csv$/);
  });

  it('shows webhook diagnostics and the per-user push switch', async () => {
    await page.click('a[href="/admin"]');
    await page.click('a[href="/admin/webhooks"]');
    await page.locator('[data-testid=webhook-log] .verdict-accepted').first().waitFor({ timeout: 10_000 });
    await page.selectOption('select[aria-label=Verdict]', 'refused');
    await expect.poll(() => page.locator('[data-testid=webhook-log] .verdict-accepted').count()).toBe(0);
    await screenshot(page, 'admin-webhooks');

    await page.click('a[href="/settings"]');
    const toggle = page.locator('[data-testid=push-enabled]');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(async () => (await apiCall<{ enabled: boolean }>(owner, baseUrl, 'GET', '/push/settings')).body.enabled).toBe(false);
    await toggle.check();
    await expect.poll(async () => (await apiCall<{ enabled: boolean }>(owner, baseUrl, 'GET', '/push/settings')).body.enabled).toBe(true);
    // The service worker (offline shell + push) is installed on this origin.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toBe(`${baseUrl}/sw.js`);
  });

  it('keeps an agent out of the admin pages', async () => {
    await page.click('a[href="/admin"]');
    await page.click('a[href="/admin/users"]');
    await page.click('[data-testid=add-user]');
    const form = page.locator('[data-testid=user-form]');
    await form.locator('input[name=name]').fill(AGENT.name);
    await form.locator('input[name=email]').fill(AGENT.email);
    await form.locator('select[name=role]').selectOption('agent');
    await form.locator('input[name=password]').fill(AGENT.password);
    await form.locator('input[name=extension]').fill('1001');
    await page.click('[data-testid=save-user]');
    await page.locator('[data-testid=user-row]', { hasText: AGENT.email }).waitFor();
    await screenshot(page, 'admin-users');

    const agent = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const agentPage = await agent.newPage();
    await signIn(agentPage, baseUrl, AGENT.email, AGENT.password);
    expect(await agentPage.locator('a[href="/admin"]').count()).toBe(0);
    await agentPage.goto(`${baseUrl}/admin/providers`);
    await agentPage.locator('[data-testid=admin-refused]').waitFor();
    expect(await agentPage.locator('[data-testid=account-card]').count()).toBe(0);
    const refused = await apiCall<{ error: { code: string } }>(agent, baseUrl, 'GET', '/provider-accounts');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('admin_required');
    // Agents edit their own profile, and sign out.
    await agentPage.click('a[href="/settings"]');
    await agentPage.fill('input[name=profileMobile]', '(415) 555-0134');
    await agentPage.click('[data-testid=profile] button[type=submit]');
    await agentPage.locator('[data-testid=profile] .notice.success').waitFor();
    await agentPage.click('.topbar >> text=Sign out');
    await agentPage.waitForURL(/\/login$/);
    expect((await agent.request.get(`${baseUrl}/api/v1/me`)).status()).toBe(401);
    await agent.close();
  });

  it('fits a 360 px phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const mobile = await phone.newPage();
    await signIn(mobile, baseUrl, OWNER.email, OWNER.password);
    await mobile.locator('[data-testid=conversation]').first().waitFor();
    const overflow = () => mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await mobile.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(0);
    await screenshot(mobile, 'mobile-inbox');
    await mobile.locator('[data-testid=conversation]', { hasText: 'Thanks, on our way' }).click();
    await mobile.locator('[data-testid=thread]').waitFor();
    expect(await mobile.locator('.conversation-pane').isVisible()).toBe(false);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(mobile, 'mobile-thread');
    await mobile.click('.thread-head .back');
    await mobile.locator('.conversation-pane').waitFor();
    await mobile.click('.menu-toggle');
    await mobile.locator('.sidebar.open a[href="/compose"]').click();
    await mobile.locator('textarea[name=body]').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(mobile, 'mobile-compose');
    for (const [route, name] of [['/logs', 'mobile-logs'], ['/admin/numbers', 'mobile-admin'], ['/sandbox', 'mobile-sandbox'], ['/contacts', 'mobile-contacts']] as const) {
      await mobile.goto(`${baseUrl}${route}`);
      await mobile.locator('.page h1').waitFor();
      await mobile.waitForLoadState('networkidle').catch(() => undefined);
      expect(await overflow(), `${route} is wider than the screen`).toBeLessThanOrEqual(0);
      await screenshot(mobile, name);
    }
    // Installable: a manifest and a service worker script are served.
    const manifest = await phone.request.get(`${baseUrl}/manifest.webmanifest`);
    expect(manifest.ok()).toBe(true);
    expect(((await manifest.json()) as { display: string }).display).toBe('standalone');
    expect((await phone.request.get(`${baseUrl}/sw.js`)).ok()).toBe(true);
    await phone.close();
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
