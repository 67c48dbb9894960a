/**
 * Issue 12, private notes with @mentions, in Chromium at 1366×900 and 360×740: agent A switches
 * the composer to "Private note" from the keyboard, mentions agent B through the autocomplete;
 * B, signed in in another browser, gets the mention live and opens the thread; the note sits
 * between the messages in both threads; the customer's sandbox phone never shows it.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn } from './helpers';

const baseUrl = inject('baseUrl');
const AGENT_PASSWORD = 'agent password 12';

const SIZES = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 360, height: 740 },
] as const;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  await ensureOwner(browser, baseUrl);
});

afterAll(async () => {
  await browser?.close();
});

for (const [index, size] of SIZES.entries()) {
  describe(`private notes at ${size.width}×${size.height}`, () => {
    const LINE = `+1555${index}606061`;
    const CUSTOMER = `+1555${index}700001`;
    const ANN = { email: `notes-ann${index}@example.com`, name: `Ann Notes${index}`, handle: `notes-ann${index}` };
    const BEN = { email: `notes-ben${index}@example.com`, name: `Ben Notes${index}`, handle: `notes-ben${index}` };
    const NOTE_TEXT = `please call back before 5 (${size.name})`;
    let owner: BrowserContext;
    let annContext: BrowserContext;
    let benContext: BrowserContext;
    let ann: Page;
    let ben: Page;
    let conversationId = '';
    let lineId = '';
    const pageErrors: string[] = [];

    const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(owner, baseUrl, method, url, data);

    beforeAll(async () => {
      owner = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const ownerPage = await owner.newPage();
      await signIn(ownerPage, baseUrl, OWNER.email, OWNER.password);
      const ids: string[] = [];
      for (const person of [ANN, BEN]) {
        const created = await api<{ id: string }>('POST', '/users', { email: person.email, name: person.name, role: 'agent', password: AGENT_PASSWORD, sendPermission: 'number' });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        ids.push(created.body.id);
      }
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: `Notes sandbox ${index}`, credentials: { deliveryDelayMs: '50' } });
      expect(account.status).toBe(201);
      const line = await api<{ id: string }>('POST', '/numbers', { number: LINE, providerAccountId: account.body.id, destinations: { userIds: ids } });
      expect(line.status).toBe(201);
      lineId = line.body.id;
      expect((await api('POST', '/sandbox/inbound', { from: CUSTOMER, to: LINE, body: 'The tap in the kitchen drips' })).status).toBeLessThan(300);
      conversationId = await vi.waitFor(
        async () => {
          const found = (await api<{ items: Array<{ id: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(CUSTOMER)}`)).body.items.find((c) => c.remoteNumbers.includes(CUSTOMER));
          if (!found) throw new Error(`no conversation with ${CUSTOMER} yet`);
          return found.id;
        },
        { timeout: 10_000, interval: 100 },
      );

      annContext = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      benContext = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      ann = await annContext.newPage();
      ben = await benContext.newPage();
      for (const page of [ann, ben, ownerPage]) page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(ann, baseUrl, ANN.email, AGENT_PASSWORD);
      await signIn(ben, baseUrl, BEN.email, AGENT_PASSWORD);
    });
    afterAll(async () => {
      await annContext?.close();
      await benContext?.close();
      await owner?.close();
    });

    it('A writes a note mentioning B from the keyboard; B is told live and sees it in the thread', async () => {
      // B waits on the inbox list with the live stream connected.
      await ben.locator('[data-testid=live-state].live-live').waitFor({ state: 'attached' });

      await ann.goto(`${baseUrl}/inbox/${conversationId}`);
      await ann.locator('[data-testid=message]', { hasText: 'The tap in the kitchen drips' }).waitFor();
      await ann.locator('[data-testid=live-state].live-live').waitFor({ state: 'attached' });
      // The Reply / Private note switch is a tab list: focus it and move with the arrow key.
      const replyTab = ann.locator('[data-testid=composer-tab-reply]');
      await replyTab.waitFor();
      await replyTab.focus();
      await expect.poll(() => replyTab.evaluate((el) => el === document.activeElement)).toBe(true);
      await ann.keyboard.press('ArrowRight');
      const noteTab = ann.locator('[data-testid=composer-tab-note]');
      await expect.poll(() => noteTab.getAttribute('aria-selected')).toBe('true');
      await expect.poll(() => noteTab.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await ann.locator('.reply textarea[name=body]').isVisible()).toBe(false);

      const input = ann.locator('[data-testid=note-input]');
      await input.waitFor();
      await input.click();
      await input.pressSequentially(`Heads up @${BEN.handle.slice(0, 9)}`);
      const option = ann.locator('[data-testid=mention-option]', { hasText: BEN.name });
      await option.waitFor();
      expect(await ann.locator('[data-testid=mention-option]', { hasText: ANN.name }).count()).toBe(0);
      await screenshot(ann, `notes-mention-autocomplete-${size.name}`);
      await ann.keyboard.press('Enter');
      await expect.poll(() => input.inputValue()).toBe(`Heads up @${BEN.handle} `);
      await input.pressSequentially(NOTE_TEXT);
      await ann.locator('[data-testid=note-submit]').click();

      const annNote = ann.locator('[data-testid=note]', { hasText: NOTE_TEXT });
      await annNote.waitFor();
      expect(await annNote.locator('[data-testid=note-author]').textContent()).toBe(ANN.name);
      expect(await annNote.locator('mark.mention').textContent()).toBe(`@${BEN.handle}`);
      await expect.poll(() => input.inputValue()).toBe('');
      // A looks like a note, not a message: a yellow card, labelled as private.
      const background = await annNote.locator('.note-card').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe('rgb(254, 249, 195)');
      expect(await annNote.textContent()).toContain('Private note');
      await screenshot(ann, `notes-thread-author-${size.name}`);

      // B gets the mention live, without reloading.
      const toast = ben.locator('[data-testid=mention-toast]', { hasText: NOTE_TEXT });
      await toast.waitFor();
      expect(await toast.textContent()).toContain(`${ANN.name} mentioned you`);
      await screenshot(ben, `notes-mention-toast-${size.name}`);
      await toast.locator('[data-testid=mention-open]').click();
      await ben.waitForURL(new RegExp(`/inbox/${conversationId}`));
      await ben.locator('[data-testid=note]', { hasText: NOTE_TEXT }).waitFor();
      await expect.poll(() => toast.count()).toBe(0);
      await screenshot(ben, `notes-thread-mentioned-${size.name}`);

      // The owner was not mentioned: no toast for them (the stream sends it to B only).
      const ownerPage = owner.pages()[0]!;
      await ownerPage.goto(`${baseUrl}/inbox/${conversationId}`);
      await ownerPage.locator('[data-testid=note]', { hasText: NOTE_TEXT }).waitFor();
      expect(await ownerPage.locator('[data-testid=mention-toast]').count()).toBe(0);
    });

    it('keeps the note between the messages in time order, and the customer never receives it', async () => {
      const reply = await api<{ id: string }>('POST', '/messages', { from: LINE, to: CUSTOMER, body: `A plumber is on the way (${size.name})` });
      expect(reply.status).toBe(202);
      for (const page of [ann, ben]) {
        await page.locator('[data-testid=message]', { hasText: 'A plumber is on the way' }).waitFor();
        const order = await page.locator('.messages-content > [data-testid=message], .messages-content > [data-testid=note]').evaluateAll((nodes) => nodes.map((n) => (n.getAttribute('data-testid') === 'note' ? 'note' : (n.querySelector('[data-testid=message-body]')?.textContent ?? '').slice(0, 20))));
        expect(order).toEqual(['The tap in the kitch', 'note', 'A plumber is on the ']);
      }
      await screenshot(ben, `notes-timeline-${size.name}`);

      // The customer's handset (the sandbox phone) shows the reply, never the note.
      const ownerPage = owner.pages()[0]!;
      await ownerPage.goto(`${baseUrl}/sandbox`);
      await ownerPage.locator('input[name=handset]').fill(CUSTOMER);
      await ownerPage.locator(`select[name=sandboxTo] option[value="${lineId}"]`).waitFor({ state: 'attached' });
      await ownerPage.locator('select[name=sandboxTo]').selectOption(lineId);
      await ownerPage.locator('[data-testid=phone-message]', { hasText: 'A plumber is on the way' }).waitFor();
      expect(await ownerPage.locator('[data-testid=phone-screen]').textContent()).not.toContain(NOTE_TEXT);
      await screenshot(ownerPage, `notes-sandbox-customer-${size.name}`);
      const sent = await api<{ items: Array<{ body: string }> }>('GET', `/messages?number=${encodeURIComponent(CUSTOMER)}&limit=100`);
      expect(sent.body.items.map((m) => m.body)).not.toContainEqual(expect.stringContaining(NOTE_TEXT));
    });

    it('lets the author delete a note, which leaves the other agent’s thread live', async () => {
      const input = ann.locator('[data-testid=note-input]');
      await input.waitFor();
      await input.fill(`Wrong thread, sorry (${size.name})`);
      await ann.locator('[data-testid=note-submit]').click();
      const own = ann.locator('[data-testid=note]', { hasText: 'Wrong thread, sorry' });
      await own.waitFor();
      await ben.locator('[data-testid=note]', { hasText: 'Wrong thread, sorry' }).waitFor();
      // B did not write it: B is offered no delete.
      expect(await ben.locator('[data-testid=note]', { hasText: 'Wrong thread, sorry' }).locator('[data-testid=note-delete]').count()).toBe(0);
      await own.locator('[data-testid=note-delete]').click();
      await own.locator('[data-testid=note-delete-confirm]').click();
      await expect.poll(() => own.count()).toBe(0);
      await expect.poll(() => ben.locator('[data-testid=note]', { hasText: 'Wrong thread, sorry' }).count()).toBe(0);
      await ben.locator('[data-testid=note]', { hasText: NOTE_TEXT }).waitFor();

      // Back to Reply from the keyboard: one composer text box at a time, the reply one.
      const noteTab = ann.locator('[data-testid=composer-tab-note]');
      await noteTab.focus();
      await expect.poll(() => noteTab.evaluate((el) => el === document.activeElement)).toBe(true);
      await ann.keyboard.press('ArrowLeft');
      await expect.poll(() => ann.locator('[data-testid=composer-tab-reply]').getAttribute('aria-selected')).toBe('true');
      await ann.locator('.reply textarea[name=body]').waitFor();
      expect(await ann.locator('[data-testid=note-input]').count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  });
}
