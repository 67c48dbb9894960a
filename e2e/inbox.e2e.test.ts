/**
 * Issue 12, the defects that make agents miss messages, in Chromium at 1366×900 and 360×740:
 * threads with pictures open (and stay) at the newest message with a "new messages" pill (inbox
 * and sandbox phone); Failed includes undelivered (inbox and logs); phone numbers are found in any
 * format as you type; compose's From never changes silently and agents see only their numbers;
 * a send stuck in retries says so; an opted-out customer is shown before any send.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTwilioEmulator } from '../src/providers/twilio/twilio.emulator';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn } from './helpers';

const baseUrl = inject('baseUrl');
const TWILIO = { accountSid: 'AC00000000000000000000000000000012', authToken: 'inbox-e2e-auth-token' };
const PNG = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../web/public/icon-192.png'));

const SIZES = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 360, height: 740 },
] as const;

let browser: Browser;
let twilio: Awaited<ReturnType<typeof startTwilioEmulator>>;

beforeAll(async () => {
  twilio = await startTwilioEmulator({ ...TWILIO, callbackDelayMs: 0 });
  browser = await launchBrowser();
  await ensureOwner(browser, baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await twilio?.close();
});

/** Pixels between the bottom of a scroll box and the bottom of its content. */
const distanceFromBottom = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const box = document.querySelector(sel) as HTMLElement | null;
    return box ? Math.round(box.scrollHeight - box.scrollTop - box.clientHeight) : -1;
  }, selector);

const imagesLoaded = (page: Page, selector: string) =>
  page.waitForFunction((sel) => {
    const images = [...document.querySelectorAll(`${sel} img`)] as HTMLImageElement[];
    return images.length > 0 && images.every((img) => img.complete && img.naturalHeight > 0);
  }, selector);

const formatNational = (e164: string) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

for (const [index, size] of SIZES.entries()) {
  describe(`inbox defects at ${size.width}×${size.height}`, () => {
    // Numbers of their own per size: +1 555 <index> 4xxxxx ours, 5xxxxx customers.
    const LINE_A = `+1555${index}400001`;
    const LINE_B = `+1555${index}400002`;
    const LINE_T = `+1555${index}400003`;
    const PICTURES = `+1555${index}500001`;
    const UNREACHABLE = `+1555${index}500666`;
    const STOPPED = `+1555${index}500003`;
    const RETRIED = `+1555${index}500004`;
    const SEARCHED = `+1555${index}501234`;
    const ACCOUNT = `Inbox sandbox ${index}`;
    let context: BrowserContext;
    let page: Page;
    let ownerId = '';
    let lineAId = '';
    const pageErrors: string[] = [];

    const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(context, baseUrl, method, url, data);
    const text = async (from: string, to: string, body: string, media?: Array<{ id: string }>) => {
      const sent = await api('POST', '/sandbox/inbound', { from, to, body, media });
      expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    };
    const uploadPicture = async () => {
      const me = await api<{ csrfToken: string }>('GET', '/me');
      const response = await context.request.post(`${baseUrl}/api/v1/media`, { headers: { 'x-csrf-token': me.body.csrfToken }, multipart: { file: { name: 'pipe.png', mimeType: 'image/png', buffer: PNG } } });
      expect(response.status()).toBeLessThan(300);
      return ((await response.json()) as { id: string }).id;
    };
    const conversationWith = async (remote: string) => {
      const found = await expect
        .poll(async () => (await api<{ items: Array<{ id: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(remote)}`)).body.items.find((c) => c.remoteNumbers.includes(remote))?.id, { timeout: 10_000 })
        .toBeTruthy();
      void found;
      return (await api<{ items: Array<{ id: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(remote)}`)).body.items.find((c) => c.remoteNumbers.includes(remote))!.id;
    };

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: size.width, height: size.height }, acceptDownloads: true });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(page, baseUrl, OWNER.email, OWNER.password);
      ownerId = (await api<{ user: { id: string } }>('GET', '/me')).body.user.id;
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: ACCOUNT, credentials: { deliveryDelayMs: '100' } });
      expect(account.status).toBe(201);
      const line = await api<{ id: string }>('POST', '/numbers', { number: LINE_A, providerAccountId: account.body.id, destinations: { userIds: [ownerId] } });
      expect(line.status).toBe(201);
      lineAId = line.body.id;
    });
    afterAll(async () => {
      await context?.close();
    });

    it('opens a thread with pictures at the newest message, keeps it there, and shows a pill for messages that arrive while reading older ones', async () => {
      const picture = await uploadPicture();
      for (let i = 1; i <= 12; i += 1) await text(PICTURES, LINE_A, `Older message ${i}`);
      for (let i = 1; i <= 3; i += 1) await text(PICTURES, LINE_A, `Photo ${i} of the leak`, [{ id: picture }]);
      await text(PICTURES, LINE_A, 'Newest: can you come today?');
      const conversationId = await conversationWith(PICTURES);

      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      await page.locator('[data-testid=message]', { hasText: 'Newest: can you come today?' }).waitFor();
      await imagesLoaded(page, '[data-testid=thread]');
      await expect.poll(() => distanceFromBottom(page, '[data-testid=thread]')).toBeLessThan(4);
      await expect.poll(() => page.locator('[data-testid=message]', { hasText: 'Newest: can you come today?' }).isVisible()).toBe(true);
      await screenshot(page, `inbox-thread-pictures-${size.name}`);

      // The reader scrolls up; a new message arrives: they stay where they were, and a pill says so.
      await page.evaluate(() => document.querySelector('[data-testid=thread]')!.scrollTo({ top: 0 }));
      await expect.poll(() => distanceFromBottom(page, '[data-testid=thread]')).toBeGreaterThan(200);
      await text(PICTURES, LINE_A, 'Also the boiler is making noise');
      await page.locator('[data-testid=message]', { hasText: 'Also the boiler' }).waitFor({ state: 'attached' });
      const pill = page.locator('[data-testid=new-messages-pill]');
      await pill.waitFor();
      expect(await distanceFromBottom(page, '[data-testid=thread]')).toBeGreaterThan(200);
      const pillBox = await pill.boundingBox();
      expect(pillBox!.height).toBeGreaterThanOrEqual(44);
      await screenshot(page, `inbox-new-messages-pill-${size.name}`);
      await pill.click();
      await expect.poll(() => distanceFromBottom(page, '[data-testid=thread]')).toBeLessThan(4);
      await expect.poll(() => pill.count()).toBe(0);

      // The agent's own reply is always shown, even when they had scrolled up.
      await page.evaluate(() => document.querySelector('[data-testid=thread]')!.scrollTo({ top: 0 }));
      await page.locator('.reply textarea[name=body]').fill('On our way at 3pm');
      await page.locator('.reply [data-testid=send-button]').click();
      await page.locator('[data-testid=message]', { hasText: 'On our way at 3pm' }).waitFor();
      await expect.poll(() => distanceFromBottom(page, '[data-testid=thread]')).toBeLessThan(4);
    });

    it('does the same on the sandbox phone', async () => {
      await page.goto(`${baseUrl}/sandbox`);
      await page.locator('input[name=handset]').fill(PICTURES);
      await page.locator('select[name=sandboxTo]').selectOption({ label: `+1 555 ${index}40 0001` }).catch(async () => {
        const value = await page.locator('select[name=sandboxTo] option', { hasText: LINE_A.slice(-4) }).getAttribute('value');
        await page.locator('select[name=sandboxTo]').selectOption(value!);
      });
      await page.locator('[data-testid=phone-message]', { hasText: 'On our way at 3pm' }).waitFor();
      await imagesLoaded(page, '[data-testid=phone-screen]');
      await expect.poll(() => distanceFromBottom(page, '[data-testid=phone-screen]')).toBeLessThan(4);
      await page.evaluate(() => document.querySelector('[data-testid=phone-screen]')!.scrollTo({ top: 0 }));
      await expect.poll(() => distanceFromBottom(page, '[data-testid=phone-screen]')).toBeGreaterThan(200);
      const reply = await api('POST', '/messages', { from: LINE_A, to: PICTURES, body: 'Bring the ladder too' });
      expect(reply.status).toBe(202);
      await page.locator('[data-testid=phone-message]', { hasText: 'Bring the ladder too' }).waitFor({ state: 'attached' });
      const pill = page.locator('[data-testid=new-messages-pill]');
      await pill.waitFor();
      await screenshot(page, `inbox-sandbox-pill-${size.name}`);
      await pill.click();
      await expect.poll(() => distanceFromBottom(page, '[data-testid=phone-screen]')).toBeLessThan(4);
    });

    it('lists undelivered messages under Failed in the inbox and the logs', async () => {
      const sent = await api<{ id: string }>('POST', '/messages', { from: LINE_A, to: UNREACHABLE, body: `Your invoice ${index} is ready` });
      expect(sent.status).toBe(202);
      await expect.poll(async () => (await api<{ status: string }>('GET', `/messages/${sent.body.id}`)).body.status, { timeout: 10_000 }).toBe('undelivered');

      await page.goto(`${baseUrl}/inbox`);
      await page.locator('.chips [role=tab]', { hasText: 'Failed' }).click();
      const row = page.locator('[data-testid=conversation]', { hasText: `Your invoice ${index} is ready` });
      await row.waitFor();
      await expect.poll(() => row.locator('.preview.failed').count()).toBe(1);
      await screenshot(page, `inbox-failed-filter-${size.name}`);

      await page.goto(`${baseUrl}/logs`);
      await page.locator('select[name=status]').selectOption('failed,undelivered');
      await page.locator('[data-testid=log-row]', { hasText: `Your invoice ${index} is ready` }).waitFor();
      await expect.poll(() => page.locator('[data-testid=log-row]').allTextContents()).not.toContainEqual(expect.stringContaining('Newest: can you come today?'));
    });

    it('finds a conversation and its log rows by a phone number typed in any format, without pressing Enter', async () => {
      await text(SEARCHED, LINE_A, 'Is Tuesday free?');
      await conversationWith(SEARCHED);
      await page.goto(`${baseUrl}/inbox`);
      for (const typed of [formatNational(SEARCHED), `${SEARCHED.slice(2, 5)}-${SEARCHED.slice(5, 8)}-${SEARCHED.slice(8)}`, `+1 ${SEARCHED.slice(2, 5)} ${SEARCHED.slice(5, 8)}`]) {
        await page.locator('input[aria-label="Search conversations"]').fill(typed);
        await expect.poll(() => page.locator('[data-testid=conversation]').allTextContents(), { timeout: 5000 }).toEqual([expect.stringContaining('Is Tuesday free?')]);
      }
      await screenshot(page, `inbox-phone-search-${size.name}`);
      await page.goto(`${baseUrl}/logs`);
      await page.locator('input[name=number]').fill(formatNational(SEARCHED));
      await expect.poll(() => page.locator('[data-testid=log-row]').allTextContents(), { timeout: 5000 }).toEqual([expect.stringContaining('Is Tuesday free?')]);
    });

    it('keeps compose on the user’s default or last-used number, names each number’s account and carrier, and offers agents only their numbers', async () => {
      await api('PATCH', `/users/${ownerId}`, { callerIds: [], defaultCallerId: null });
      await page.goto(`${baseUrl}/compose`);
      const from = page.locator('[data-testid=from-select]');
      // Several numbers and no default yet: the user picks; nothing is chosen by sort order.
      await expect.poll(() => from.locator('option:checked').textContent()).toBe('Choose a number…');
      const optionA = `+1 555 ${index}40 0001 — ${ACCOUNT} · sandbox`;
      expect(await from.locator('option').allTextContents()).toContain(optionA);
      await from.selectOption({ label: optionA });
      await page.fill('#to-input', formatNational(SEARCHED));
      await page.fill('textarea[name=body]', 'Tuesday 9am works');
      await page.click('[data-testid=send-button]');
      await page.waitForURL(/\/inbox\/[^/]+$/);

      // A number added later does not take over: the last one used stays.
      const accounts = (await api<{ items: Array<{ id: string; name: string }> }>('GET', '/provider-accounts')).body.items;
      const added = await api('POST', '/numbers', { number: LINE_B, providerAccountId: accounts.find((a) => a.name === ACCOUNT)!.id, destinations: { userIds: [ownerId] } });
      expect(added.status).toBe(201);
      await page.goto(`${baseUrl}/compose`);
      await expect.poll(() => from.locator('option:checked').textContent()).toBe(optionA);
      await screenshot(page, `inbox-compose-from-${size.name}`);

      // The default caller ID wins over the last used one.
      expect((await api('PATCH', `/users/${ownerId}`, { callerIds: [LINE_B], defaultCallerId: LINE_B })).status).toBe(200);
      await page.reload();
      await expect.poll(() => from.locator('option:checked').textContent()).toBe(`+1 555 ${index}40 0002 — ${ACCOUNT} · sandbox`);
      await api('PATCH', `/users/${ownerId}`, { callerIds: [], defaultCallerId: null });

      // An agent routed to line A only is offered line A only.
      const agentEmail = `inbox-agent-${index}@example.com`;
      const agent = await api<{ id: string }>('POST', '/users', { email: agentEmail, name: `Inbox Agent ${index}`, role: 'agent', password: 'agent password 12', sendPermission: 'number' });
      expect(agent.status, JSON.stringify(agent.body)).toBe(201);
      expect((await api('PATCH', `/numbers/${lineAId}`, { destinations: { userIds: [ownerId, agent.body.id] } })).status).toBe(200);
      const agentContext = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      try {
        const agentPage = await agentContext.newPage();
        await signIn(agentPage, baseUrl, agentEmail, 'agent password 12');
        await agentPage.goto(`${baseUrl}/compose`);
        await expect.poll(() => agentPage.locator('[data-testid=from-select] option').allTextContents()).toEqual([optionA]);
        await screenshot(agentPage, `inbox-compose-agent-${size.name}`);
      } finally {
        await agentContext.close();
      }
    });

    it('shows attempts, the next try and the last failure of a send the carrier keeps refusing for now', async () => {
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'twilio', name: `Twilio ${index}`, credentials: TWILIO, baseUrl: twilio.baseUrl });
      expect(account.status, JSON.stringify(account.body)).toBe(201);
      expect((await api('POST', '/numbers', { number: LINE_T, providerAccountId: account.body.id })).status).toBe(201);
      twilio.failNext(503, { code: 20500, message: 'Service temporarily unavailable', status: 503 }, { 'retry-after': '600' });
      const sent = await api<{ id: string; conversationId: string }>('POST', '/messages', { from: LINE_T, to: RETRIED, body: 'Reminder: visit tomorrow' });
      expect(sent.status).toBe(202);
      await expect.poll(async () => (await api<{ retry: unknown }>('GET', `/messages/${sent.body.id}`)).body.retry, { timeout: 10_000 }).toBeTruthy();
      await page.goto(`${baseUrl}/inbox/${sent.body.conversationId}`);
      const note = page.locator('[data-testid=message]', { hasText: 'Reminder: visit tomorrow' }).locator('[data-testid=retry-note]');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/Attempt 1 of \d+ failed: .*(unavailable|503).*Next try at/i);
      await screenshot(page, `inbox-retrying-${size.name}`);
    });

    it('shows an opted-out customer in a banner and explains the disabled composer', async () => {
      await text(STOPPED, LINE_A, 'Hello?');
      await text(STOPPED, LINE_A, 'STOP');
      const conversationId = await conversationWith(STOPPED);
      // The keyword is processed after the message is stored; the page is about showing the result.
      await expect.poll(async () => (await api<{ optOut: unknown }>('GET', `/conversations/${conversationId}`)).body.optOut).toBeTruthy();
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      const banner = page.locator('[data-testid=opt-out-banner]');
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/opted out of this number by texting STOP/);
      const reason = page.locator('[data-testid=composer-disabled]');
      expect(await reason.textContent()).toMatch(/Replies are off: .* opted out\. They can text START/);
      expect(await page.locator('.reply textarea[name=body]').count()).toBe(0);
      await screenshot(page, `inbox-opted-out-${size.name}`);
      // Nothing on the page is wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    });

    it('lets owners list, add and remove opt-outs, download them as CSV, and edit the compliance texts', async () => {
      const added = `+1555${index}500009`;
      await page.goto(`${baseUrl}/admin/opt-outs`);
      // The customer who texted STOP in the previous test is listed.
      await page.locator('[data-testid=opt-out-row]', { hasText: `+1 555 ${index}50 0003` }).waitFor();
      await page.locator('input[name=optOutPhone]').fill(formatNational(added));
      await page.locator('select[name=optOutNumber]').selectOption('');
      await page.locator('[data-testid=opt-out-form] button[type=submit]').click();
      const row = page.locator('[data-testid=opt-out-row]', { hasText: `+1 555 ${index}50 0009` });
      await row.waitFor();
      expect(await row.textContent()).toContain('Every number');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=opt-outs-csv]').click()]);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      expect(csv.split('\n')[0]).toBe('id,phone,scope,number,source,detail,createdAt');
      expect(csv).toContain(added);
      expect(csv).toContain(STOPPED);
      await screenshot(page, `inbox-opt-outs-${size.name}`);
      // The remove button is on screen, not hidden off to the side.
      const remove = row.locator('button', { hasText: 'Remove' });
      const box = (await remove.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      expect(box.height).toBeGreaterThanOrEqual(size.width < 700 ? 44 : 20);
      await remove.click();
      await expect.poll(() => row.count()).toBe(0);
      const help = `Acme ${index}: reply STOP to end, START to come back.`;
      await page.locator('textarea[name=helpText]').fill(help);
      await page.locator('[data-testid=save-compliance]').click();
      await expect.poll(async () => (await api<{ helpText: string }>('GET', '/settings/compliance')).body.helpText).toBe(help);
      await page.reload();
      await expect.poll(() => page.locator('textarea[name=helpText]').inputValue()).toBe(help);
    });

    it('shows an API error in words next to the field it names, and clears it once the field changes', async () => {
      await page.goto(`${baseUrl}/admin/numbers`);
      await page.click('[data-testid=add-number]');
      const form = page.locator('[data-testid=number-form]');
      await form.locator('input[name=number]').fill(`+1555${index}400009`);
      await form.locator('input[name=emails]').fill('ops@example.com, not-an-email');
      await form.locator('[data-testid=save-number]').click();
      const note = form.locator('[data-testid=field-error]');
      await note.waitFor();
      expect(await note.textContent()).toBe('Emails (destinations) #2 is not an email address');
      expect(await page.locator('body').textContent()).not.toContain('body.destinations');
      expect(await form.locator('input[name=emails]').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, `inbox-field-error-${size.name}`);
      await form.locator('input[name=emails]').fill('ops@example.com');
      await expect.poll(() => note.count()).toBe(0);
    });

    it('warns before Send when a message is over 10 segments or longer than the carrier accepts', async () => {
      await page.goto(`${baseUrl}/compose`);
      const warning = page.locator('[data-testid=length-warning]');
      await page.fill('textarea[name=body]', 'a'.repeat(153 * 10));
      expect(await warning.count()).toBe(0);
      await page.fill('textarea[name=body]', 'a'.repeat(153 * 10 + 1));
      await expect.poll(() => warning.textContent()).toMatch(/^11 segments: carriers often refuse messages over 10 segments/);
      await page.fill('textarea[name=body]', 'a'.repeat(1601));
      await expect.poll(() => warning.textContent()).toMatch(/Too long for this carrier: 1601 characters, it accepts at most 1600/);
      await screenshot(page, `inbox-length-warning-${size.name}`);
    });

    it('says truthfully when the server cannot be reached, and gives up on a push service that never answers', async () => {
      const conversationId = await conversationWith(SEARCHED);
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      await page.locator('[data-testid=message]', { hasText: 'Tuesday 9am works' }).waitFor();
      const live = page.locator('[data-testid=live-state]');
      if (size.width >= 700) await expect.poll(() => live.textContent()).toContain('Live');
      await context.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
      try {
        await page.locator('.reply textarea[name=body]').fill('Are you there?');
        await page.locator('.reply [data-testid=send-button]').click();
        await expect.poll(() => page.locator('.reply').textContent()).toContain('Cannot reach the Switchboard server');
        expect(await page.locator('body').textContent()).not.toContain('Failed to fetch');
        expect(await live.getAttribute('class')).toContain('live-offline');
        await screenshot(page, `inbox-offline-${size.name}`);
      } finally {
        await context.unroute('**/api/v1/**');
      }

      // A push service that never answers (blocked network) ends in a message, not a frozen page.
      await context.grantPermissions(['notifications'], { origin: baseUrl });
      await page.addInitScript(() => {
        PushManager.prototype.getSubscription = () => Promise.resolve(null);
        PushManager.prototype.subscribe = () => new Promise(() => undefined);
      });
      await page.goto(`${baseUrl}/settings`);
      const notify = page.locator('button', { hasText: 'Notify this device' });
      await notify.click();
      await expect.poll(() => page.locator('.notice[role=status]').textContent(), { timeout: 25_000 }).toMatch(/push service did not answer within 15 seconds/);
      expect(await notify.isEnabled()).toBe(true);
    }, 60_000);

    it('resolves a conversation, sees it reopen when the customer writes again, and bulk-resolves from the list', async () => {
      const customer = `+1555${index}500005`;
      const second = `+1555${index}500006`;
      await text(customer, LINE_A, 'Leak under the sink');
      await text(second, LINE_A, 'Invoice question');
      const conversationId = await conversationWith(customer);
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      const row = page.locator(`[data-testid=conversation][data-conversation-id="${conversationId}"]`);
      if (size.width >= 700) await row.waitFor();
      await page.locator('[data-testid=resolve]').click();
      await expect.poll(() => page.locator('[data-testid=conversation-status]').textContent()).toBe('Resolved');
      await expect.poll(async () => (await api<{ status: string }>('GET', `/conversations/${conversationId}`)).body.status).toBe('resolved');
      await screenshot(page, `inbox-resolved-${size.name}`);
      // The Open tab no longer lists it; the Resolved tab does.
      await page.goto(`${baseUrl}/inbox`);
      await page.locator('[data-testid=conversation]').first().waitFor();
      await expect.poll(() => row.count()).toBe(0);
      await page.locator('[data-testid=status-tab-resolved]').click();
      await row.waitFor();
      // A new message from the customer reopens it, live.
      await page.locator('[data-testid=status-tab-open]').click();
      await text(customer, LINE_A, 'It is leaking again!');
      await row.waitFor();
      expect(await row.textContent()).toContain('It is leaking again!');
      await expect.poll(async () => (await api<{ status: string }>('GET', `/conversations/${conversationId}`)).body.status).toBe('open');

      // Bulk: select both, resolve them in one go.
      const secondId = await conversationWith(second);
      const counts = async () => (await api<Record<string, number>>('GET', '/conversations/counts')).body;
      const before = await counts();
      await page.locator(`li:has([data-conversation-id="${conversationId}"]) [data-testid=select-conversation]`).check();
      await page.locator(`li:has([data-conversation-id="${secondId}"]) [data-testid=select-conversation]`).check();
      await expect.poll(() => page.locator('[data-testid=bulk-bar]').textContent()).toContain('2 selected');
      await screenshot(page, `inbox-bulk-${size.name}`);
      await page.locator('[data-testid=bulk-resolve]').click();
      await expect.poll(() => page.locator(`[data-conversation-id="${secondId}"]`).count()).toBe(0);
      await expect.poll(() => row.count()).toBe(0);
      const after = await counts();
      expect(after.resolved).toBe(before.resolved + 2);
      expect(after.open).toBe(before.open - 2);
      await expect.poll(() => page.locator('[data-testid=status-tab-resolved]').textContent()).toContain(String(after.resolved));
    });

    it('works the inbox from the keyboard: j/k move, r replies, e resolves, / searches, ? lists the keys', async () => {
      // The newest conversation (first in the list) is one that may be replied to.
      await text(`+1555${index}500007`, LINE_A, 'Keyboard test');
      await conversationWith(`+1555${index}500007`);
      await page.goto(`${baseUrl}/inbox`);
      await page.locator('[data-testid=conversation]').nth(1).waitFor();
      const ids = await page.locator('[data-testid=conversation]').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')!));
      await page.keyboard.press('j');
      await page.waitForURL(new RegExp(`/inbox/${ids[0]}`));
      // The next key follows at once, before the thread has rendered: it must still move on from here.
      await page.keyboard.press('j');
      await page.waitForURL(new RegExp(`/inbox/${ids[1]}`));
      await page.locator(`[data-conversation-id="${ids[1]}"].active`).waitFor({ state: 'attached' });
      await page.keyboard.press('k');
      await page.waitForURL(new RegExp(`/inbox/${ids[0]}`));
      const start = ids[0]!;
      // The previous thread's composer stays on screen until the new one mounts: wait for this one's.
      await page.locator(`.thread[data-thread-id="${start}"] .reply textarea:enabled`).waitFor();
      await page.keyboard.press('r');
      expect(await page.evaluate(() => document.activeElement?.matches('.reply textarea'))).toBe(true);
      await page.evaluate(() => (document.activeElement as HTMLElement).blur());
      await page.keyboard.press('e');
      await expect.poll(async () => (await api<{ status: string }>('GET', `/conversations/${start}`)).body.status).toBe('resolved');
      await page.keyboard.press('/');
      // On failure the poll shows what holds the focus instead.
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.outerHTML.slice(0, 160));
      await expect.poll(focused).toBe('Search conversations');
      await page.evaluate(() => (document.activeElement as HTMLElement).blur());
      await page.keyboard.press('?');
      const help = page.locator('[data-testid=shortcut-help]');
      await help.waitFor();
      expect(await help.textContent()).toContain('Next conversation');
      await screenshot(page, `inbox-shortcuts-${size.name}`);
      await page.keyboard.press('Escape');
      await expect.poll(() => help.count()).toBe(0);
    });

    it('raised no page errors', () => {
      expect(pageErrors).toEqual([]);
    });
  });
}
