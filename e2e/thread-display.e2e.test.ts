/**
 * Issue 12, the thread as agents read and write it, in Chromium at 1366×900 and 360×740: `/` in the
 * composer (and the Templates button) inserts a template rendered for the conversation's contact,
 * with its picture, and reports a variable that rendered blank; outbound bubbles name who sent
 * them (a user, an API key); day separators in the viewer's own time zone; http(s) links in bodies
 * are clickable while a javascript: "link" stays text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn, until } from './helpers';

const baseUrl = inject('baseUrl');
const dataDir = inject('dataDir');
const PNG = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../web/public/icon-192.png'));

// Each size reads the thread in another time zone: day separators follow the viewer's clock.
const SIZES = [
  { name: 'desktop', width: 1366, height: 900, timezoneId: 'America/Los_Angeles' },
  { name: 'phone', width: 360, height: 740, timezoneId: 'Asia/Tokyo' },
] as const;

const DAY = 86_400_000;

/** What the separator should say for `iso`, computed independently of the app for `timeZone`. */
function expectedDayLabel(iso: string, timeZone: string, now = new Date()): string {
  const ymd = (date: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  const days = Math.round((Date.parse(ymd(now)) - Date.parse(ymd(new Date(iso)))) / DAY);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return new Date(iso).toLocaleDateString('en-US', { timeZone, weekday: 'long' });
  const sameYear = ymd(now).slice(0, 4) === ymd(new Date(iso)).slice(0, 4);
  return new Date(iso).toLocaleDateString('en-US', { timeZone, weekday: 'short', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) });
}


let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  await ensureOwner(browser, baseUrl);
});

afterAll(async () => {
  await browser?.close();
});

for (const [index, size] of SIZES.entries()) {
  describe(`thread display at ${size.width}×${size.height}`, () => {
    const LINE = `+1555${index}700001`;
    const CUSTOMER = `+1555${index}800001`;
    const GREETING = `Greeting ${size.name} A`;
    const RENEWAL = `Greeting ${size.name} B`;
    const KEY_NAME = `Booking site ${size.name}`;
    let context: BrowserContext;
    let page: Page;
    let conversationId = '';
    let tenantName = '';
    let apiKey = '';
    const pageErrors: string[] = [];

    const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(context, baseUrl, method, url, data);
    type ThreadMessage = { id: string; body: string; createdAt: string; direction: string };
    const threadMessages = async () => (await api<{ items: ThreadMessage[] }>('GET', `/conversations/${conversationId}/messages?limit=100`)).body.items;
    const textIn = async (body: string) => {
      const sent = await api('POST', '/sandbox/inbound', { from: CUSTOMER, to: LINE, body });
      expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    };
    const composer = () => page.locator('.reply textarea[name=body]');
    const bubble = (text: string) => page.locator('[data-testid=message]', { hasText: text });

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: size.width, height: size.height }, timezoneId: size.timezoneId, locale: 'en-US' });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(page, baseUrl, OWNER.email, OWNER.password);
      const me = (await api<{ user: { id: string }; tenant: { name: string } }>('GET', '/me')).body;
      tenantName = me.tenant.name;
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: `Thread sandbox ${index}`, credentials: { deliveryDelayMs: '50' } });
      expect(account.status).toBe(201);
      expect((await api('POST', '/numbers', { number: LINE, providerAccountId: account.body.id, destinations: { userIds: [me.user.id] } })).status).toBe(201);
      expect((await api('POST', '/contacts', { name: 'Dana Whitfield', phones: [CUSTOMER] })).status).toBe(201);

      const csrf = (await api<{ csrfToken: string }>('GET', '/me')).body.csrfToken;
      const upload = await context.request.post(`${baseUrl}/api/v1/media`, { headers: { 'x-csrf-token': csrf }, multipart: { file: { name: 'van.png', mimeType: 'image/png', buffer: PNG } } });
      expect(upload.status()).toBeLessThan(300);
      const pictureId = ((await upload.json()) as { id: string }).id;
      expect((await api('POST', '/templates', { name: GREETING, body: 'Hi {{ contact.first_name }}, our van is on the way. {{ user.name }}, {{ tenant.name }}', mediaIds: [pictureId] })).status).toBe(201);
      expect((await api('POST', '/templates', { name: RENEWAL, body: 'Your plan renews on {{ contact.fields.renewal_date }}.' })).status).toBe(201);
      const key = await api<{ key: string }>('POST', '/api-keys', { name: KEY_NAME });
      expect(key.status).toBe(201);
      apiKey = key.body.key;

      // Older history, then moved back in time in the database (the API always stamps "now").
      await textIn('Old question about the boiler');
      await textIn('Follow-up about the invoice');
      await textIn('Yesterday: the tap drips again');
      await textIn('Directions: https://maps.example.com/acme?x=1 and not this javascript:alert(document.cookie) ok');
      const findConversation = async () => (await api<{ items: Array<{ id: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(CUSTOMER)}`)).body.items.find((c) => c.remoteNumbers.includes(CUSTOMER))?.id;
      conversationId = await until(findConversation, 'the conversation');
      await until(async () => (await threadMessages()).length === 4, 'the four inbound messages');
      const now = Date.now();
      const moved: Record<string, string> = {
        'Old question about the boiler': new Date(now - 40 * DAY).toISOString(),
        'Follow-up about the invoice': new Date(now - 3 * DAY).toISOString(),
        'Yesterday: the tap drips again': new Date(now - DAY).toISOString(),
      };
      const db = new Database(path.join(dataDir, 'switchboard.db'));
      try {
        db.pragma('busy_timeout = 5000');
        for (const message of await threadMessages()) {
          const at = moved[message.body];
          if (at) db.prepare('UPDATE messages SET created_at = ? WHERE id = ?').run(at, message.id);
        }
      } finally {
        db.close();
      }

      // A message sent by the booking site's API key, not by a person.
      const byKey = await fetch(`${baseUrl}/api/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ from: LINE, to: CUSTOMER, body: 'Your booking is confirmed for Friday.' }) });
      expect(byKey.status, await byKey.clone().text()).toBe(202);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('separates days in the viewer’s time zone, names senders, and links only safe URLs', async () => {
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      await bubble('Your booking is confirmed for Friday.').waitFor();
      await bubble('Old question about the boiler').waitFor();

      // One separator per local day, in order, each before its first message.
      const messages = (await threadMessages()).slice().reverse();
      const expected: string[] = [];
      for (const message of messages) {
        const label = expectedDayLabel(message.createdAt, size.timezoneId);
        if (expected.at(-1) !== label) expected.push(label);
      }
      expect(expected.length).toBeGreaterThanOrEqual(3);
      await expect.poll(() => page.locator('[data-testid=day-separator]').allTextContents()).toEqual(expected);
      expect(expected).toContain('Yesterday');
      expect(expected.at(-1)).toBe(expectedDayLabel(new Date().toISOString(), size.timezoneId));
      const firstSeparatorThenMessage = await page.evaluate(() => {
        const content = document.querySelector('[data-testid=thread] .messages-content')!;
        const items = [...content.querySelectorAll('[data-testid=day-separator], [data-testid=message]')];
        return items[0]?.getAttribute('data-testid') === 'day-separator' && items[1]?.textContent?.includes('Old question about the boiler');
      });
      expect(firstSeparatorThenMessage).toBe(true);

      // The API key's send names the key; inbound bubbles name no one.
      await expect.poll(() => bubble('Your booking is confirmed for Friday.').locator('[data-testid=message-sender]').textContent()).toBe(`${KEY_NAME} · API key`);
      expect(await bubble('Old question about the boiler').locator('[data-testid=message-sender]').count()).toBe(0);

      // https is a link opening a new tab without opener or referrer; javascript: stays text.
      const linked = bubble('Directions:');
      const link = linked.locator('a[data-testid=body-link]');
      expect(await link.count()).toBe(1);
      expect(await link.getAttribute('href')).toBe('https://maps.example.com/acme?x=1');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await link.textContent()).toBe('https://maps.example.com/acme?x=1');
      expect(await linked.locator('[data-testid=message-body]').textContent()).toBe('Directions: https://maps.example.com/acme?x=1 and not this javascript:alert(document.cookie) ok');
      expect(await page.locator('a[href^="javascript"], a[href*="alert("]').count()).toBe(0);
      await linked.scrollIntoViewIfNeeded();
      await screenshot(page, `thread-display-${size.name}`);
      expect(pageErrors).toEqual([]);
    });

    it('inserts a template rendered for the contact with `/`, keyboard only, attaches its picture, and sends it as me', async () => {
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      const box = composer();
      await box.waitFor();
      await expect.poll(() => box.isEnabled()).toBe(true);
      // The templates are loaded once the hint is in the placeholder.
      await expect.poll(() => box.getAttribute('placeholder')).toContain('/ for a template');
      await box.click();
      await box.pressSequentially(`On it! /greeting${size.name}`);
      const options = page.locator('[data-testid=canned-option]');
      await expect.poll(async () => (await options.allTextContents()).map((text) => (text.startsWith(GREETING) ? 'A' : text.startsWith(RENEWAL) ? 'B' : text)).sort()).toEqual(['A', 'B']);
      expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
      await box.press('ArrowDown');
      await expect.poll(() => options.nth(1).getAttribute('aria-selected')).toBe('true');
      await box.press('ArrowUp');
      await expect.poll(() => options.nth(0).getAttribute('aria-selected')).toBe('true');
      // Escape closes the list and leaves the typed text alone.
      await box.press('Escape');
      await page.locator('[data-testid=canned-menu]').waitFor({ state: 'detached' });
      expect(await box.inputValue()).toBe(`On it! /greeting${size.name}`);
      // Typing on narrows a new `/`; Enter inserts the rendered text in place of `/query`.
      await box.fill('On it! ');
      await box.press('End');
      await box.pressSequentially(`/greeting${size.name}a`);
      await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining(GREETING)]);
      await screenshot(page, `thread-canned-${size.name}`);
      await box.press('Enter');
      const rendered = `On it! Hi Dana, our van is on the way. ${OWNER.name}, ${tenantName}`;
      await expect.poll(() => box.inputValue()).toBe(rendered);
      await page.locator('[data-testid=canned-menu]').waitFor({ state: 'detached' });
      await page.locator('[data-testid=attachments]', { hasText: `${GREETING} picture 1` }).waitFor();
      expect(await page.locator('[data-testid=canned-blank]').count()).toBe(0);

      const send = page.locator('.reply [data-testid=send-button]');
      await expect.poll(() => send.isEnabled()).toBe(true);
      await send.click();
      const mine = bubble(rendered.slice('On it! '.length));
      await mine.waitFor();
      expect(await mine.locator('[data-testid=message-body]').textContent()).toBe(rendered);
      await expect.poll(() => mine.locator('[data-testid=message-sender]').textContent()).toBe(OWNER.name);
      await mine.locator('img[data-testid=media-image]').waitFor();
      await expect.poll(() => box.inputValue()).toBe('');
      const stored = (await threadMessages()).find((m) => m.body === rendered);
      expect(stored).toBeTruthy();
      expect(pageErrors).toEqual([]);
    });

    it('reports a variable that rendered blank from the Templates button and holds Send until checked', async () => {
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      const box = composer();
      await box.waitFor();
      await expect.poll(() => box.isEnabled()).toBe(true);
      const button = page.locator('.reply [data-testid=templates-button]');
      await button.waitFor();
      await button.click();
      const search = page.getByRole('combobox', { name: 'Find a template' });
      await search.waitFor();
      await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
      await search.pressSequentially(RENEWAL.toLowerCase());
      await expect.poll(() => page.locator('[data-testid=canned-option]').allTextContents()).toEqual([expect.stringContaining(RENEWAL)]);
      await search.press('Enter');
      await expect.poll(() => box.inputValue()).toBe('Your plan renews on .');
      const blank = page.locator('[data-testid=canned-blank]');
      await blank.waitFor();
      expect(await blank.textContent()).toContain('contact.fields.renewal_date');
      const send = page.locator('.reply [data-testid=send-button]');
      expect(await send.isDisabled()).toBe(true);
      await screenshot(page, `thread-blank-${size.name}`);
      await page.locator('[data-testid=canned-blank-ok]').click();
      await blank.waitFor({ state: 'detached' });
      await expect.poll(() => send.isEnabled()).toBe(true);
      await box.fill('');
      expect(pageErrors).toEqual([]);
    });
  });
}
