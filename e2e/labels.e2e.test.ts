/**
 * Issue 12, labels and the contact panel, in Chromium at 1366×900 and 360×740: an admin creates a
 * label, an agent's view puts it on a conversation (chips in the thread and the list) and filters
 * the inbox by it; a label put on by someone else shows up live; the contact panel shows the
 * customer's name, tags, fields, opt-out state and other conversations (fully on-screen as a sheet
 * on a phone), and creates a contact from an unlinked conversation's number.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn, until } from './helpers';

const baseUrl = inject('baseUrl');

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


/** The element's box lies entirely inside the viewport. */
async function expectOnScreen(page: Page, locator: Locator) {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, 'element has a box').toBeTruthy();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height + 0.5);
}

for (const [index, size] of SIZES.entries()) {
  describe(`labels and the contact panel at ${size.width}×${size.height}`, () => {
    // Numbers of their own per size: +1 555 <index> 8xxxxx ours, 9xxxxx customers.
    const LINE_1 = `+1555${index}800001`;
    const LINE_2 = `+1555${index}800002`;
    const REGULAR = `+1555${index}900001`;
    const OTHER = `+1555${index}900002`;
    const STRANGER = `+1555${index}900003`;
    const LABEL = `Urgent ${size.name}`;
    const LIVE_LABEL = `Callback ${size.name}`;
    const phone = size.name === 'phone';
    let context: BrowserContext;
    let page: Page;
    const pageErrors: string[] = [];
    const conversation: Record<string, string> = {};
    let labelId = '';

    const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(context, baseUrl, method, url, data);
    const text = async (from: string, to: string, body: string) => {
      const sent = await api('POST', '/sandbox/inbound', { from, to, body });
      expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    };
    const conversationWith = async (remote: string, ours: string) => {
      const find = async () => (await api<{ items: Array<{ id: string; remoteNumbers: string[]; ourNumber: string }> }>('GET', `/conversations?q=${encodeURIComponent(remote)}`)).body.items.find((c) => c.remoteNumbers.includes(remote) && c.ourNumber === ours)?.id;
      return until(find, `a conversation between ${remote} and ${ours}`);
    };
    const listRow = (id: string) => page.locator(`[data-testid=conversation][data-conversation-id="${id}"]`);

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(page, baseUrl, OWNER.email, OWNER.password);
      const ownerId = (await api<{ user: { id: string } }>('GET', '/me')).body.user.id;
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: `Labels sandbox ${index}`, credentials: { deliveryDelayMs: '50' } });
      expect(account.status).toBe(201);
      for (const line of [LINE_1, LINE_2]) expect((await api('POST', '/numbers', { number: line, providerAccountId: account.body.id, destinations: { userIds: [ownerId] } })).status).toBe(201);
      // A regular customer with a contact card, two conversations, and an opt-out on line 1.
      const contact = await api('POST', '/contacts', { name: `Rita Regular ${index}`, phones: [REGULAR], tags: ['gold', 'boiler'], fields: { account: `A-${index}42`, city: 'Leeds' } });
      expect(contact.status).toBe(201);
      await text(REGULAR, LINE_1, 'The boiler is leaking again');
      await text(REGULAR, LINE_1, 'STOP');
      await text(REGULAR, LINE_2, 'Also on your other line');
      await text(OTHER, LINE_1, 'Quote for a new radiator?');
      await text(STRANGER, LINE_1, 'Who is this?');
      conversation.regular = await conversationWith(REGULAR, LINE_1);
      conversation.regularOther = await conversationWith(REGULAR, LINE_2);
      conversation.other = await conversationWith(OTHER, LINE_1);
      conversation.stranger = await conversationWith(STRANGER, LINE_1);
      await until(async () => (await api<{ optOut: unknown }>('GET', `/conversations/${conversation.regular}`)).body.optOut, 'the STOP opt-out');
    });
    afterAll(async () => {
      await context?.close();
    });

    it('creates a label in Admin → Labels', async () => {
      await page.goto(`${baseUrl}/admin/labels`);
      await page.locator('input[name=labelName]').fill(LABEL);
      await page.locator('[aria-label="Colour for the new label"] button[aria-label=red]').click();
      await page.locator('button', { hasText: 'Create label' }).click();
      const row = page.locator('[data-testid=label-row]', { hasText: LABEL });
      await row.waitFor();
      const labels = (await api<{ items: Array<{ id: string; name: string; color: string }> }>('GET', '/labels')).body.items;
      const created = labels.find((l) => l.name === LABEL)!;
      expect(created.color).toBe('#b91c1c');
      labelId = created.id;
      // A duplicate in another case is refused in words.
      await page.locator('input[name=labelName]').fill(LABEL.toUpperCase());
      await page.locator('button', { hasText: 'Create label' }).click();
      await expect.poll(() => page.locator('[role=alert]').first().textContent()).toMatch(/already exists/);
      await screenshot(page, `labels-admin-${size.name}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    });

    it('applies the label in the thread, shows it as a chip, and filters the inbox by it', async () => {
      await page.goto(`${baseUrl}/inbox/${conversation.regular}`);
      await page.locator('[data-testid=thread-title]', { hasText: `Rita Regular ${index}` }).waitFor();
      await page.locator('[data-testid=label-picker]').click();
      const option = page.getByRole('group', { name: 'Labels on this conversation' }).locator('label', { hasText: LABEL }).locator('input');
      await option.waitFor();
      await option.check();
      const chip = page.locator('[data-testid=thread-chips] [data-testid=label-chip]', { hasText: LABEL });
      await chip.waitFor();
      await page.locator('.label-picker button', { hasText: 'Done' }).click();
      // The contact's tags show under the title too.
      await page.locator('[data-testid=thread-chips] [data-testid=contact-tag]', { hasText: '#gold' }).waitFor();
      if (!phone) await listRow(conversation.regular).locator('[data-testid=label-chip]', { hasText: LABEL }).waitFor();
      await screenshot(page, `labels-thread-${size.name}`);
      const applied = await api<{ labels: Array<{ id: string }> }>('GET', `/conversations/${conversation.regular}`);
      expect(applied.body.labels.map((l) => l.id)).toEqual([labelId]);

      await page.goto(`${baseUrl}/inbox`);
      await listRow(conversation.other).waitFor();
      await page.locator('[data-testid=label-filter]').selectOption(labelId);
      await page.waitForURL(new RegExp(`label=${labelId}`));
      await expect.poll(() => page.locator('[data-testid=conversation]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-conversation-id')))).toEqual([conversation.regular]);
      await listRow(conversation.regular).locator('[data-testid=label-chip]', { hasText: LABEL }).waitFor();
      await screenshot(page, `labels-filter-${size.name}`);
      await page.locator('[data-testid=label-filter]').selectOption('');
      await listRow(conversation.other).waitFor();
    });

    it("shows a label someone else puts on a conversation without a reload", async () => {
      await page.goto(`${baseUrl}/inbox`);
      await listRow(conversation.other).waitFor();
      const live = await api<{ id: string }>('POST', '/labels', { name: LIVE_LABEL, color: 'teal' });
      expect(live.status).toBe(201);
      // Another agent's browser (here: the API) puts it on.
      const me = await api<{ csrfToken: string }>('GET', '/me');
      const put = await context.request.fetch(`${baseUrl}/api/v1/conversations/${conversation.other}/labels/${live.body.id}`, { method: 'PUT', headers: { 'x-csrf-token': me.body.csrfToken } });
      expect(put.status()).toBe(200);
      await listRow(conversation.other).locator('[data-testid=label-chip]', { hasText: LIVE_LABEL }).waitFor();
      // Renamed in Admin: the chip follows live.
      expect((await api('PATCH', `/labels/${live.body.id}`, { name: `${LIVE_LABEL} (renamed)` })).status).toBe(200);
      await listRow(conversation.other).locator('[data-testid=label-chip]', { hasText: `${LIVE_LABEL} (renamed)` }).waitFor();
    });

    it('opens the contact panel with name, phones, tags, fields, opt-out state and other conversations', async () => {
      await page.goto(`${baseUrl}/inbox/${conversation.regular}`);
      await page.locator('[data-testid=thread-title]', { hasText: `Rita Regular ${index}` }).waitFor();
      const toggle = page.locator('[data-testid=contact-panel-toggle]');
      const panel = page.locator('[data-testid=contact-panel]');
      // Open it unless it still is from before (wide screens remember the choice).
      if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
      await panel.waitFor();
      await panel.locator('[data-testid=panel-contact-name]', { hasText: `Rita Regular ${index}` }).waitFor();
      expect(await panel.textContent()).toContain(`+1 555 ${index}90 0001`);
      expect(await panel.locator('[data-testid=panel-tags]').textContent()).toMatch(/#gold.*#boiler/);
      const fields = await panel.locator('[data-testid=panel-fields]').textContent();
      expect(fields).toContain(`A-${index}42`);
      expect(fields).toContain('Leeds');
      expect(await panel.locator('[data-testid=panel-allow-sms]').textContent()).toBe('Yes');
      await expect.poll(() => panel.locator('[data-testid=panel-opt-out]').textContent()).toMatch(/Opted out: .*texted STOP/);
      const others = panel.locator('[data-testid=panel-other-conversations] a');
      await others.first().waitFor();
      expect(await others.count()).toBe(1);
      expect(await others.first().getAttribute('href')).toBe(`/inbox/${conversation.regularOther}`);
      await panel.locator('[data-testid=case-links]').waitFor();

      if (phone) {
        // A full-screen sheet: entirely on-screen, and its close button too.
        await expectOnScreen(page, panel);
        const box = (await panel.boundingBox())!;
        expect(box.width).toBeGreaterThanOrEqual(size.width - 1);
        await expectOnScreen(page, page.locator('[data-testid=contact-panel-close]'));
      } else {
        // At the right of the thread, beside the messages.
        const panelBox = (await panel.boundingBox())!;
        const threadBox = (await page.locator('[data-testid=thread]').boundingBox())!;
        expect(panelBox.x).toBeGreaterThanOrEqual(threadBox.x + threadBox.width - 1);
        await expectOnScreen(page, panel);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      await screenshot(page, `contact-panel-${size.name}`);

      // The other conversation opens from the panel.
      await others.first().click();
      await page.waitForURL(new RegExp(`/inbox/${conversation.regularOther}`));
      await page.locator(`[data-thread-id="${conversation.regularOther}"]`).waitFor();
      if (phone) {
        // A new thread on a phone starts with the sheet closed; Close works.
        await expect.poll(() => panel.count()).toBe(0);
        await page.locator('[data-testid=contact-panel-toggle]').click();
        await panel.waitFor();
        await page.locator('[data-testid=contact-panel-close]').click();
        await expect.poll(() => panel.count()).toBe(0);
      } else {
        await panel.locator('[data-testid=panel-contact-name]', { hasText: `Rita Regular ${index}` }).waitFor();
      }
    });

    it("creates a contact from an unlinked conversation's number in the panel", async () => {
      await page.goto(`${baseUrl}/inbox/${conversation.stranger}`);
      await page.locator(`[data-thread-id="${conversation.stranger}"]`).waitFor();
      const panel = page.locator('[data-testid=contact-panel]');
      const toggle = page.locator('[data-testid=contact-panel-toggle]');
      if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
      await panel.locator('[data-testid=panel-not-linked]').waitFor();
      expect(await panel.locator('[data-testid=panel-opt-out]').textContent()).toMatch(/Can be texted/);
      await panel.locator('button', { hasText: 'Link contact' }).click();
      const name = panel.locator('input[placeholder="Search contacts or type a new name"]');
      await name.waitFor();
      await name.fill(`Sam Stranger ${index}`);
      await panel.locator('button', { hasText: `+ New contact “Sam Stranger ${index}”` }).click();
      await panel.locator('[data-testid=panel-contact-name]', { hasText: `Sam Stranger ${index}` }).waitFor();
      await page.locator('[data-testid=thread-title]', { hasText: `Sam Stranger ${index}` }).waitFor();
      const found = await api<{ items: Array<{ name: string; phones: string[] }> }>('GET', `/contacts?phone=${encodeURIComponent(STRANGER)}`);
      expect(found.body.items.map((c) => c.name)).toEqual([`Sam Stranger ${index}`]);
      if (phone) await expectOnScreen(page, panel);
      await screenshot(page, `contact-panel-created-${size.name}`);
      // Unlinking from the panel puts the conversation back to "not linked".
      await panel.locator('[data-testid=panel-unlink]').click();
      await panel.locator('[data-testid=panel-not-linked]').waitFor();
      // Close takes the panel away.
      await page.locator('[data-testid=contact-panel-close]').click();
      await expect.poll(() => panel.count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  });
}
