/**
 * Issue 12 item 7, the phone layout, in Chromium at 360×740 (touch, 2× pixels): tapping a contact
 * far down the list shows its details on screen; the webhook log's request column stays readable;
 * every action of the Numbers and Users rows is on screen and tappable; every button, select and
 * text field in the main content of those pages, the inbox and a thread is at least 44 px tall.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn, until } from './helpers';

const baseUrl = inject('baseUrl');
const WIDTH = 360;
const HEIGHT = 740;
// Numbers of its own: +1 555 7 6xxxxx ours, 7xxxxx customers.
const LINE = '+15557600001';
const CUSTOMER = '+15557700001';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
let accountId = '';
let contactId = '';
let conversationId = '';

const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(context, baseUrl, method, url, data);


/** The element's box lies entirely inside the viewport as it is now (no scrolling first). */
async function expectOnScreen(locator: Locator, what: string) {
  const box = await locator.boundingBox();
  expect(box, `${what} has a box`).toBeTruthy();
  expect(box!.x, `${what} starts left of the screen`).toBeGreaterThanOrEqual(0);
  expect(box!.y, `${what} starts above the screen`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${what} ends right of the screen`).toBeLessThanOrEqual(WIDTH + 0.5);
  expect(box!.y + box!.height, `${what} ends below the screen`).toBeLessThanOrEqual(HEIGHT + 0.5);
}

const documentOverflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/**
 * Every visible control in the main content shorter than 44 px, described for the failure message.
 * Checkboxes and radios are left out (their label is the target), and so are links inside
 * message bodies, which are text.
 */
const shortTapTargets = () =>
  page.evaluate(() => {
    const selector = ['button', 'a.button', '.link-button', '.icon-button', 'select', 'textarea', 'input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file])'].join(', ');
    const controls = [...document.querySelectorAll<HTMLElement>(`main.content :is(${selector})`)];
    return controls
      .filter((element) => {
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
      })
      .filter((element) => !element.closest('[data-testid=message-body]'))
      .map((element) => ({ element, height: element.getBoundingClientRect().height }))
      .filter(({ height }) => height < 44 - 0.5)
      .map(({ element, height }) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')} "${(element.textContent || element.getAttribute('aria-label') || (element as HTMLInputElement).name || '').trim().slice(0, 30)}" ${Math.round(height)} px`);
  });

/** Every action button of every `rowSelector` row can be scrolled to and sits wholly on screen, with nothing covering it. */
async function expectRowActionsOnScreen(rowSelector: string, what: string) {
  const rows = page.locator(rowSelector);
  const count = await rows.count();
  expect(count, `${what} rows`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const buttons = rows.nth(i).locator('button');
    expect(await buttons.count(), `${what} row ${i} has actions`).toBeGreaterThan(0);
    for (let j = 0; j < (await buttons.count()); j++) {
      const button = buttons.nth(j);
      await button.scrollIntoViewIfNeeded();
      const label = `${what} row ${i} "${(await button.textContent())?.trim()}"`;
      await expectOnScreen(button, label);
      // Reachable: a tap at its centre lands on the button itself, not on something over it.
      const hit = await button.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return !!top && (top === element || element.contains(top));
      });
      expect(hit, `${label} is covered`).toBe(true);
    }
  }
}

beforeAll(async () => {
  browser = await launchBrowser();
  await ensureOwner(browser, baseUrl);
  context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signIn(page, baseUrl, OWNER.email, OWNER.password);
  const ownerId = (await api<{ user: { id: string } }>('GET', '/me')).body.user.id;
  const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: 'Phone layout sandbox', credentials: { deliveryDelayMs: '50' } });
  expect(account.status).toBe(201);
  accountId = account.body.id;
  expect((await api('POST', '/numbers', { number: LINE, providerAccountId: accountId, destinations: { userIds: [ownerId] } })).status).toBe(201);
  const agent = await api('POST', '/users', { name: 'Petra Phone', email: 'petra.phone@example.com', password: 'phone layout password', role: 'agent' });
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
  // The contact first: the list is newest first, so the fillers push it below the fold.
  const contact = await api<{ id: string }>('POST', '/contacts', { name: 'Priya Faraway', phones: [CUSTOMER], tags: ['vip'], fields: { account: 'P-760', city: 'York', notes: 'Side gate' } });
  expect(contact.status).toBe(201);
  contactId = contact.body.id;
  for (let i = 1; i <= 14; i++) expect((await api('POST', '/contacts', { name: `Filler ${String(i).padStart(2, '0')} Phone`, phones: [`+155577001${String(i).padStart(2, '0')}`] })).status).toBe(201);
  const inbound = await api('POST', '/sandbox/inbound', { from: CUSTOMER, to: LINE, body: 'Is the engineer still coming at 3? See https://example.com/map' });
  expect(inbound.status, JSON.stringify(inbound.body)).toBeLessThan(300);
  conversationId = await until(
    async () => (await api<{ items: Array<{ id: string; remoteNumbers: string[]; ourNumber: string }> }>('GET', `/conversations?q=${encodeURIComponent(CUSTOMER)}`)).body.items.find((c) => c.remoteNumbers.includes(CUSTOMER) && c.ourNumber === LINE)?.id,
    'the inbound conversation',
  );
  // A webhook log row: an unsigned request to the account's URL is refused, and logged for this tenant.
  const refused = await fetch(`${baseUrl}/webhook/sandbox/sms/${accountId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: CUSTOMER, to: LINE, body: 'hi' }) });
  expect(refused.status).toBe(403);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('the phone layout at 360×740', () => {
  it('shows a tapped contact on screen, from far down the list', async () => {
    await page.goto(`${baseUrl}/contacts`);
    const item = page.locator('[data-testid=contact-list] a', { hasText: 'Priya Faraway' });
    await item.scrollIntoViewIfNeeded();
    // It is below the fold to start with, so the detail has to come to the user.
    expect(await page.evaluate(() => Math.max(window.scrollY, document.querySelector('main.content')?.scrollTop ?? 0))).toBeGreaterThan(0);
    await item.tap();
    await page.waitForURL(new RegExp(`/contacts/${contactId}$`));
    const heading = page.locator('[data-testid=contact-form] h2', { hasText: 'Priya Faraway' });
    await heading.waitFor();
    await expectOnScreen(heading, 'the contact heading');
    await expect.poll(documentOverflow).toBeLessThanOrEqual(0);
    expect(await shortTapTargets()).toEqual([]);
    await screenshot(page, 'phone-layout-contact');
  });

  it('keeps the webhook log request column readable', async () => {
    await page.goto(`${baseUrl}/admin/webhooks`);
    const row = page.locator('[data-testid=webhook-log] tbody tr', { hasText: accountId });
    const request = row.locator('td.break').first();
    await request.waitFor();
    expect(await request.textContent()).toContain(`/webhook/sandbox/sms/${accountId}`);
    const box = (await request.boundingBox())!;
    expect(box.width, 'the request cell is a column of single characters').toBeGreaterThanOrEqual(120);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(WIDTH + 0.5);
    expect(await documentOverflow(), 'the webhook log is wider than the screen').toBeLessThanOrEqual(0);
    expect(await shortTapTargets()).toEqual([]);
    await screenshot(page, 'phone-layout-webhook-log');
  });

  it('puts every Numbers row action on screen', async () => {
    await page.goto(`${baseUrl}/admin/numbers`);
    await page.locator('[data-testid=number-row]').first().waitFor();
    expect(await documentOverflow(), 'Numbers is wider than the screen').toBeLessThanOrEqual(0);
    await expectRowActionsOnScreen('[data-testid=number-row]', 'Numbers');
    expect(await shortTapTargets()).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'phone-layout-numbers');
    // And the Edit action opens the row's form on a phone.
    const ours = page.locator('[data-testid=number-row]', { hasText: '555' }).filter({ hasText: 'Phone layout sandbox' });
    await ours.locator('button', { hasText: 'Edit' }).tap();
    await page.locator('[data-testid=number-form]').waitFor();
    expect(await documentOverflow()).toBeLessThanOrEqual(0);
    expect(await shortTapTargets()).toEqual([]);
    await ours.locator('button', { hasText: 'Close' }).tap();
  });

  it('puts every Users row action on screen', async () => {
    await page.goto(`${baseUrl}/admin/users`);
    await page.locator('[data-testid=user-row]', { hasText: 'Petra Phone' }).waitFor();
    expect(await documentOverflow(), 'Users is wider than the screen').toBeLessThanOrEqual(0);
    await expectRowActionsOnScreen('[data-testid=user-row]', 'Users');
    expect(await shortTapTargets()).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'phone-layout-users');
  });

  it('gives the inbox and a thread 44 px tap targets', async () => {
    await page.goto(`${baseUrl}/inbox`);
    const row = page.locator(`[data-testid=conversation][data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    expect(await documentOverflow()).toBeLessThanOrEqual(0);
    expect(await shortTapTargets()).toEqual([]);
    await screenshot(page, 'phone-layout-inbox');
    await row.tap();
    await page.locator('[data-testid=thread]', { hasText: 'Is the engineer still coming' }).waitFor();
    expect(await documentOverflow()).toBeLessThanOrEqual(0);
    expect(await shortTapTargets()).toEqual([]);
    await screenshot(page, 'phone-layout-thread');
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
