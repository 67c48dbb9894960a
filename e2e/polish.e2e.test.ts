/**
 * Issue 12, the remaining polish, in Chromium at 1366×900 and 360×740: dark mode that follows the
 * system with a remembered System/Light/Dark choice, and WCAG AA contrast of text and focus rings
 * in both themes (measured in the page); a custom snooze time with past times refused; API errors
 * shown next to the field they name on the admin forms and cleared once it changes; the Twilio
 * Test button working from the form; a partly successful CSV import shown apart from its failed
 * lines; and the README's curl walk-through landing in the dashboard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTwilioEmulator } from '../src/providers/twilio/twilio.emulator';
import { apiCall, ensureOwner, launchBrowser, OWNER, screenshot, signIn } from './helpers';

const baseUrl = inject('baseUrl');
const TWILIO = { accountSid: 'AC00000000000000000000000000000042', authToken: 'polish-e2e-auth-token' };
const README = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');

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

interface Probe {
  label: string;
  selector: string;
  /** text: colour on its background; ring: the outline on what is behind it; border: the box's edge. */
  kind: 'text' | 'ring' | 'border';
}

/**
 * WCAG contrast ratios computed in the page from getComputedStyle: the background is the first
 * opaque one up the tree, with translucent layers on top composited over it.
 */
function contrastInPage(probes: Probe[]): Array<{ label: string; ratio: number; detail: string }> {
  type Rgba = { r: number; g: number; b: number; a: number };
  const parse = (value: string): Rgba | null => {
    const match = /rgba?\(([^)]+)\)/.exec(value);
    if (!match) return null;
    const parts = match[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0]!, g: parts[1]!, b: parts[2]!, a: parts.length > 3 ? parts[3]! : 1 };
  };
  const over = (top: Rgba, bottom: Rgba): Rgba => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const backgroundOf = (element: Element | null): Rgba => {
    const layers: Rgba[] = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }: Rgba) => {
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (x: Rgba, y: Rgba) => {
    const [light, dark] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100;
  };
  const show = (c: Rgba) => `rgb(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)})`;
  return probes.map(({ label, selector, kind }) => {
    const element = document.querySelector(selector);
    if (!element) return { label, ratio: 0, detail: `nothing matches ${selector}` };
    const style = getComputedStyle(element);
    if (kind === 'text') {
      const background = backgroundOf(element);
      const colour = over(parse(style.color)!, background);
      return { label, ratio: ratio(colour, background), detail: `${show(colour)} on ${show(background)}` };
    }
    if (kind === 'ring') {
      if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0) return { label, ratio: 0, detail: `no focus ring on ${selector}` };
      // The ring is drawn outside the box (outline-offset), over the parent's background.
      const background = backgroundOf(element.parentElement);
      const colour = over(parse(style.outlineColor)!, background);
      return { label, ratio: ratio(colour, background), detail: `ring ${show(colour)} on ${show(background)}` };
    }
    const background = backgroundOf(element.parentElement);
    const colour = over(parse(style.borderTopColor)!, background);
    return { label, ratio: ratio(colour, background), detail: `border ${show(colour)} on ${show(background)}` };
  });
}

/** Probes below their WCAG AA minimum (4.5:1 for text, 3:1 for rings and borders), as readable lines. */
async function contrastFailures(page: Page, theme: string, probes: Probe[]): Promise<string[]> {
  const results = await page.evaluate(contrastInPage, probes);
  return results
    .map((result, index) => ({ ...result, minimum: probes[index]!.kind === 'text' ? 4.5 : 3 }))
    .filter((result) => !(result.ratio >= result.minimum))
    .map((result) => `${theme}: ${result.label} is ${result.ratio}:1 (needs ${result.minimum}:1) — ${result.detail}`);
}

const THREAD_PROBES: Probe[] = [
  { label: 'customer message text', selector: '.bubble.inbound .body', kind: 'text' },
  { label: 'reply text', selector: '.bubble.outbound .body', kind: 'text' },
  { label: 'customer message timestamp', selector: '.bubble.inbound .meta time', kind: 'text' },
  { label: 'reply timestamp', selector: '.bubble.outbound .meta time', kind: 'text' },
  { label: 'reply status', selector: '.bubble.outbound .status', kind: 'text' },
  { label: 'muted text (thread subtitle)', selector: '.thread-title .muted', kind: 'text' },
  { label: 'conversation list time', selector: '.conversation time', kind: 'text' },
  { label: 'conversation list preview', selector: '.conversation .preview', kind: 'text' },
  { label: 'primary button', selector: '[data-testid=resolve]', kind: 'text' },
  { label: 'select', selector: '[data-testid=snooze-select]', kind: 'text' },
  { label: 'link (active navigation)', selector: '.nav-link.active', kind: 'text' },
  { label: 'link (navigation)', selector: '.nav-link:not(.active)', kind: 'text' },
  { label: 'composer text', selector: '.reply textarea', kind: 'text' },
  { label: 'composer border', selector: '.reply textarea', kind: 'border' },
  { label: 'composer focus ring', selector: '.reply textarea', kind: 'ring' },
];

const SETTINGS_PROBES: Probe[] = [
  { label: 'heading', selector: '.settings-page h1', kind: 'text' },
  { label: 'muted text', selector: '.settings-page .muted', kind: 'text' },
  { label: 'field label', selector: '.settings-page label', kind: 'text' },
  { label: 'secondary button', selector: '.settings-page .secondary', kind: 'text' },
  { label: 'primary button', selector: '.settings-page .primary', kind: 'text' },
  { label: 'input border', selector: 'input[name=profileName]', kind: 'border' },
  { label: 'radio focus ring', selector: '[data-testid=theme-system]', kind: 'ring' },
  { label: 'keyboard focus ring', selector: ':focus-visible', kind: 'ring' },
];

for (const [index, size] of SIZES.entries()) {
  describe(`polish at ${size.width}×${size.height}`, () => {
    // Numbers of their own per size: +1 555 <index> 6xxxxx ours, 7xxxxx customers.
    const LINE = `+1555${index}600001`;
    const CUSTOMER = `+1555${index}700001`;
    const SNOOZER = `+1555${index}700002`;
    let context: BrowserContext;
    let page: Page;
    let ownerId = '';
    let lineAccountId = '';
    const pageErrors: string[] = [];

    const api = <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown) => apiCall<T>(context, baseUrl, method, url, data);
    const text = async (from: string, to: string, body: string) => {
      const sent = await api('POST', '/sandbox/inbound', { from, to, body });
      expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    };
    const conversationWith = async (remote: string): Promise<string> => {
      let id: string | undefined;
      await expect
        .poll(async () => {
          const found = await api<{ items: Array<{ id: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(remote)}`);
          id = found.body.items.find((c) => c.remoteNumbers.includes(remote))?.id;
          return id;
        })
        .toBeTruthy();
      return id!;
    };
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(page, baseUrl, OWNER.email, OWNER.password);
      ownerId = (await api<{ user: { id: string } }>('GET', '/me')).body.user.id;
      const account = await api<{ id: string }>('POST', '/provider-accounts', { type: 'sandbox', name: `Polish sandbox ${index}`, credentials: { deliveryDelayMs: '100' } });
      expect(account.status).toBe(201);
      lineAccountId = account.body.id;
      const line = await api('POST', '/numbers', { number: LINE, providerAccountId: lineAccountId, destinations: { userIds: [ownerId] } });
      expect(line.status, JSON.stringify(line.body)).toBe(201);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('follows the system theme, remembers a Light or Dark choice, and meets WCAG AA contrast in both themes', async () => {
      await text(CUSTOMER, LINE, 'Is the boiler service still on for Friday?');
      const conversationId = await conversationWith(CUSTOMER);
      const reply = await api('POST', '/messages', { from: LINE, to: CUSTOMER, body: 'Yes, Friday at 9.' });
      expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);

      // System: follows prefers-color-scheme, and changes with it while the page is open.
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto(`${baseUrl}/settings`);
      await page.locator('[data-testid=appearance]').waitFor();
      expect(await page.locator('[data-testid=theme-system]').isChecked()).toBe(true);
      await expect.poll(theme).toBe('light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect.poll(theme).toBe('dark');
      const darkBackground = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      await page.emulateMedia({ colorScheme: 'light' });
      await expect.poll(theme).toBe('light');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).not.toBe(darkBackground);

      // A choice wins over the system and is remembered across reloads.
      await page.locator('[data-testid=theme-dark]').check();
      await expect.poll(theme).toBe('dark');
      expect(await page.evaluate(() => localStorage.getItem('switchboard.theme'))).toBe('dark');
      // Set before the app's code runs, so there is no white flash: with the app's scripts held back the page is already dark.
      await page.route('**/assets/*.js', (route) => route.abort());
      await page.goto(`${baseUrl}/settings`);
      await expect.poll(theme).toBe('dark');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(darkBackground);
      await page.unroute('**/assets/*.js');
      await page.reload();
      await page.locator('[data-testid=appearance]').waitFor();
      await expect.poll(theme).toBe('dark');
      expect(await page.locator('[data-testid=theme-dark]').isChecked()).toBe(true);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.locator('[data-testid=theme-light]').check();
      await expect.poll(theme).toBe('light');
      await page.reload();
      await page.locator('[data-testid=appearance]').waitFor();
      await expect.poll(theme).toBe('light');
      await page.locator('[data-testid=theme-system]').check();
      await expect.poll(theme).toBe('dark');
      expect(await page.evaluate(() => localStorage.getItem('switchboard.theme'))).toBeNull();

      const failures: string[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${baseUrl}/settings`);
        await page.locator('[data-testid=appearance]').waitFor();
        await expect.poll(theme).toBe(scheme);
        await page.locator('[data-testid=push-enabled]').waitFor();
        // A mouse focus on the radio, then Tab to the next control for a keyboard (focus-visible) ring.
        await page.locator('[data-testid=theme-system]').focus();
        failures.push(...(await contrastFailures(page, `${scheme} settings`, SETTINGS_PROBES.filter((p) => p.selector !== ':focus-visible'))));
        await page.keyboard.press('Tab');
        await expect.poll(() => page.evaluate(() => document.activeElement?.matches(':focus-visible') ?? false)).toBe(true);
        failures.push(...(await contrastFailures(page, `${scheme} settings`, SETTINGS_PROBES.filter((p) => p.selector === ':focus-visible'))));
        if (scheme === 'dark') await screenshot(page, `polish-dark-settings-${size.name}`);

        await page.goto(`${baseUrl}/inbox/${conversationId}`);
        await page.locator('.bubble.outbound .body', { hasText: 'Yes, Friday at 9.' }).waitFor();
        await page.locator('.bubble.inbound .body', { hasText: 'boiler service' }).waitFor();
        const composer = page.locator('.reply textarea');
        await composer.waitFor();
        await composer.focus();
        await expect.poll(() => composer.evaluate((el) => el === document.activeElement)).toBe(true);
        failures.push(...(await contrastFailures(page, `${scheme} thread`, THREAD_PROBES)));
        await screenshot(page, `polish-${scheme}-${size.name}`);
      }
      expect(failures).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it('snoozes with presets or a custom date and time, refusing a past time next to the field', async () => {
      await page.emulateMedia({ colorScheme: 'light' });
      await text(SNOOZER, LINE, 'Call me back next week please');
      const conversationId = await conversationWith(SNOOZER);
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      const select = page.locator('[data-testid=snooze-select]');
      await select.waitFor();
      expect(await select.locator('option').allTextContents()).toEqual(['Snooze…', 'For 1 hour', 'Until tomorrow 9am', 'For a week', 'Pick a date and time…']);

      await select.selectOption('custom');
      const form = page.locator('[data-testid=snooze-custom]');
      await form.waitFor();
      const until = form.locator('input[name=snoozeUntil]');
      // Local "YYYY-MM-DDTHH:mm" in the browser's time zone: a day ago, and two days ahead at 10:30.
      const [past, future, futureIso] = await page.evaluate(() => {
        const local = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
        const before = new Date(Date.now() - 86_400_000);
        const after = new Date(Date.now() + 2 * 86_400_000);
        after.setHours(10, 30, 0, 0);
        return [local(before), local(after), after.toISOString()];
      });
      await until.fill(past);
      await form.locator('[data-testid=snooze-custom-save]').click();
      const refusal = form.locator('[data-testid=field-error]');
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(/Pick a time in the future: .* has passed\./);
      expect(await until.getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, `polish-snooze-refused-${size.name}`);
      expect((await api<{ status: string }>('GET', `/conversations/${conversationId}`)).body.status).toBe('open');

      await until.fill(future);
      await refusal.waitFor({ state: 'detached' });
      await form.locator('[data-testid=snooze-custom-save]').click();
      await form.waitFor({ state: 'detached' });
      await page.locator('[data-testid=conversation-status]', { hasText: 'Snoozed until' }).waitFor();
      const snoozed = await api<{ status: string; snoozedUntil: string }>('GET', `/conversations/${conversationId}`);
      expect(snoozed.body.status).toBe('snoozed');
      expect(new Date(snoozed.body.snoozedUntil).toISOString()).toBe(futureIso);
      await screenshot(page, `polish-snooze-${size.name}`);

      // Presets still work.
      await page.locator('[data-testid=reopen]').click();
      await page.locator('[data-testid=resolve]').waitFor();
      const before = Date.now();
      await select.selectOption({ label: 'For 1 hour' });
      await page.locator('[data-testid=conversation-status]', { hasText: 'Snoozed until' }).waitFor();
      const preset = await api<{ status: string; snoozedUntil: string }>('GET', `/conversations/${conversationId}`);
      expect(preset.body.status).toBe('snoozed');
      const ahead = new Date(preset.body.snoozedUntil).getTime() - before;
      expect(ahead).toBeGreaterThan(3_500_000);
      expect(ahead).toBeLessThan(3_700_000);
      expect(pageErrors).toEqual([]);
    });

    it('shows API errors in words next to the field they name on the admin forms, and clears them once the field changes', async () => {
      await page.emulateMedia({ colorScheme: 'light' });
      /** Submits a form whose API answer names `field`, checks the words under that input, then edits it. */
      const expectFieldError = async (formSelector: string, input: string, field: string, words: RegExp, submit: string, fix: string) => {
        const form = page.locator(formSelector);
        const note = form.locator(`[data-field-error="${field}"]`);
        await form.locator(submit).click();
        await note.waitFor();
        expect(await note.textContent()).toMatch(words);
        expect(await note.textContent()).not.toMatch(/body\.|must match format/);
        expect(await form.locator(input).getAttribute('aria-invalid')).toBe('true');
        // Shown once, under the field: not again as a form-wide error.
        expect(await form.locator('.notice.error').count()).toBe(0);
        await form.locator(input).fill(fix);
        await note.waitFor({ state: 'detached' });
        expect(await form.locator(input).getAttribute('aria-invalid')).toBeNull();
      };

      // Numbers: an email copy address that is not one.
      await page.goto(`${baseUrl}/admin/numbers`);
      await page.locator('[data-testid=add-number]').click();
      const numberForm = page.locator('[data-testid=number-form]');
      await numberForm.locator('input[name=number]').fill(`+1555${index}600009`);
      await numberForm.locator('select[name=providerAccountId]').selectOption(lineAccountId);
      await numberForm.locator('input[name=emails]').fill('sales@example.com, not-an-email');
      await expectFieldError('[data-testid=number-form]', 'input[name=emails]', 'destinations.emails', /^Emails \(destinations\) #2 is not an email address$/, '[data-testid=save-number]', 'sales@example.com');

      // Users: a mobile that is not a phone number.
      await page.goto(`${baseUrl}/admin/users`);
      await page.locator('[data-testid=add-user]').click();
      const userForm = page.locator('[data-testid=user-form]');
      await userForm.locator('input[name=name]').fill('Pat Agent');
      await userForm.locator('input[name=email]').fill(`pat${index}@example.com`);
      await userForm.locator('input[name=password]').fill('a long password');
      await userForm.locator('input[name=mobile]').fill('call me');
      await expectFieldError('[data-testid=user-form]', 'input[name=mobile]', 'mobile', /^Mobile "call me" is not a valid phone number/, '[data-testid=save-user]', '');
      await screenshot(page, `polish-field-errors-${size.name}`);

      // Provider accounts: a base URL that is not http(s).
      await page.goto(`${baseUrl}/admin/providers`);
      await page.locator('[data-testid=add-provider]').click();
      const accountForm = page.locator('[data-testid=account-form]');
      await accountForm.locator('input[name=baseUrl]').fill('ftp://files.example.com');
      await expectFieldError('[data-testid=account-form]', 'input[name=baseUrl]', 'baseUrl', /^Base url.*(http|https)/i, '[data-testid=save-account]', '');

      // API keys: a name longer than the API takes.
      await page.goto(`${baseUrl}/admin/api-keys`);
      const keyForm = page.locator('form:has(input[name=keyName])');
      await keyForm.locator('input[name=keyName]').fill('k'.repeat(201));
      await expectFieldError('form:has(input[name=keyName])', 'input[name=keyName]', 'name', /^Name is longer than 200 characters$/, 'button[type=submit]', 'CRM');

      // Contacts: a phone that is not one.
      await page.goto(`${baseUrl}/contacts/new`);
      const contactForm = page.locator('[data-testid=contact-form]');
      await contactForm.locator('input[name=name]').fill('Bad Phone');
      await contactForm.locator('input[name=phones]').fill('not a phone');
      await expectFieldError('[data-testid=contact-form]', 'input[name=phones]', 'phones', /^Phones #1 "not a phone" is not a valid phone number/, 'button[type=submit]', `+1555${index}700099`);

      // Event webhooks: a URL that is not http(s).
      await page.goto(`${baseUrl}/event-webhooks`);
      const hookForm = page.locator('[data-testid=webhook-form]');
      await hookForm.locator('input[name=webhookUrl]').fill('ftp://crm.example.com/hook');
      await expectFieldError('[data-testid=webhook-form]', 'input[name=webhookUrl]', 'url', /^Url must be http or https/, '[data-testid=create-webhook]', 'https://crm.example.com/hook');

      // Organisation: a time zone that is not one.
      await page.goto(`${baseUrl}/organisation`);
      const orgForm = page.locator('[data-testid=organisation-form]');
      const zone = await orgForm.locator('input[name=timeZone]').inputValue();
      await orgForm.locator('input[name=timeZone]').fill('Mars/Olympus_Mons');
      await expectFieldError('[data-testid=organisation-form]', 'input[name=timeZone]', 'timeZone', /^Time zone "Mars\/Olympus_Mons" is not an IANA time zone/, '[data-testid=save-organisation]', zone);
      expect(pageErrors).toEqual([]);
    });

    it('tests a Twilio account from its card: typed From with no numbers yet, then one of its numbers', async () => {
      const name = `Twilio polish ${index}`;
      const created = await api<{ id: string }>('POST', '/provider-accounts', { type: 'twilio', name, credentials: TWILIO, baseUrl: twilio.baseUrl });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const lastFrom = () => new URLSearchParams(twilio.requests.at(-1)?.text ?? '').get('From');

      await page.goto(`${baseUrl}/admin/providers`);
      const card = page.locator('[data-testid=account-card]', { hasText: name });
      await card.waitFor();
      const form = card.locator('[data-testid=account-test]');
      // No number on the account: the form asks for From itself.
      await form.locator('input[name=testFromTyped]').waitFor();
      expect(await form.locator('select[name=testFrom]').count()).toBe(0);
      await form.locator('input[name=testTo]').fill('+15551234567');
      await form.locator('input[name=testFromTyped]').fill('+15550004242');
      const sentBefore = twilio.requests.length;
      await form.locator('[data-testid=test-account]').click();
      await card.locator('[data-testid=test-verdict]', { hasText: /^Accepted: SM/ }).waitFor();
      expect(twilio.requests.length).toBe(sentBefore + 1);
      expect(lastFrom()).toBe('+15550004242');
      await screenshot(page, `polish-twilio-test-${size.name}`);

      // With a number on the account, From offers it (and still takes a typed one).
      const number = `+1555${index}600042`;
      expect((await api('POST', '/numbers', { number, providerAccountId: created.body.id, destinations: { userIds: [ownerId] } })).status).toBe(201);
      await page.reload();
      await card.waitFor();
      const from = form.locator('select[name=testFrom]');
      await from.waitFor();
      expect(await from.inputValue()).toBe(number);
      await form.locator('input[name=testTo]').fill('+15551234567');
      await form.locator('[data-testid=test-account]').click();
      await expect.poll(() => twilio.requests.length).toBe(sentBefore + 2);
      expect(lastFrom()).toBe(number);
      await card.locator('[data-testid=test-verdict]', { hasText: /^Accepted: SM/ }).waitFor();
      expect(pageErrors).toEqual([]);
    });

    it('shows a partly successful CSV import as the contacts imported, apart from the failed lines and why', async () => {
      await page.goto(`${baseUrl}/contacts`);
      const csv = ['name,phone', `Ada Import,+1555${index}710001`, 'No Phone,', `Bo Import,+1555${index}710002`, 'Bad Phone,call me'].join('\n');
      await page.locator('[data-testid=contact-import] input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      const imported = page.locator('[data-testid=import-imported]');
      await imported.waitFor();
      expect(await imported.textContent()).toBe('Imported 2 contacts.');
      expect(await imported.getAttribute('class')).toMatch(/\bsuccess\b/);
      expect(await imported.getAttribute('class')).not.toMatch(/\berror\b/);
      const failed = page.locator('[data-testid=import-failed]');
      expect(await failed.locator('strong').textContent()).toBe('2 rows not imported:');
      const lines = await failed.locator('[data-testid=import-failure]').allTextContents();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^Line 3: .*no phone/);
      expect(lines[1]).toMatch(/^Line 5: .*"call me" is not a valid phone number/);
      // The imported contacts are there.
      const found = await api<{ items: Array<{ name: string }> }>('GET', `/contacts?q=Import`);
      expect(found.body.items.map((c) => c.name)).toEqual(expect.arrayContaining(['Ada Import', 'Bo Import']));
      await screenshot(page, `polish-import-${size.name}`);
      expect(pageErrors).toEqual([]);
    });

    it('runs the README curl walk-through with a key from Admin → API keys, and its messages show up in the dashboard', async () => {
      const block = /The same with curl[\s\S]*?```sh\n([\s\S]*?)```/.exec(README)?.[1];
      expect(block, 'README has the curl walk-through').toBeTruthy();
      expect(README).toMatch(/Admin → API keys/);
      // The key, made where the README says.
      await page.goto(`${baseUrl}/admin/api-keys`);
      await page.locator('input[name=keyName]').fill(`README ${size.name}`);
      await page.locator('form:has(input[name=keyName]) button[type=submit]').click();
      const key = (await page.locator('[data-testid=new-api-key] code').textContent())!;
      expect(key).toMatch(/^sb_/);

      // Every curl line but the live stream, as the README writes it.
      const commands = block!.split('\n').filter((line) => line.startsWith('curl ') && !line.includes('$API/events'));
      expect(commands.length).toBeGreaterThanOrEqual(3);
      const sent: Array<{ from: string; to: string; body: string }> = [];
      for (const command of commands) {
        const url = /\$API(\/\S+)/.exec(command)![1]!;
        const data = /-d '([^']+)'/.exec(command)?.[1];
        const response = await fetch(`${baseUrl}/api/v1${url}`, { method: data ? 'POST' : 'GET', headers: { authorization: `Bearer ${key}`, ...(data ? { 'content-type': 'application/json' } : {}) }, body: data });
        expect(response.status, `${command}\n${await response.clone().text()}`).toBeLessThan(300);
        if (data) sent.push(JSON.parse(data));
      }
      const remote = sent.find((m) => m.to !== '+15550100001')?.to ?? '';
      expect(remote).toMatch(/^\+1/);
      expect(sent.map((m) => m.from)).toContain('+15550100001');

      // The owner sees it in the inbox: the conversation and both messages.
      const ours = sent.find((m) => m.to === remote)!.from;
      await page.goto(`${baseUrl}/inbox`);
      // Listed in the inbox the owner has open, through the owner's sandbox number.
      await page.locator('[data-testid=conversation]', { hasText: sent.at(-1)!.body }).first().waitFor();
      let conversationId = '';
      await expect
        .poll(async () => {
          const found = await api<{ items: Array<{ id: string; ourNumber: string; remoteNumbers: string[] }> }>('GET', `/conversations?q=${encodeURIComponent(remote)}`);
          conversationId = found.body.items.find((c) => c.ourNumber === ours && c.remoteNumbers.includes(remote))?.id ?? '';
          return conversationId;
        })
        .toBeTruthy();
      await page.goto(`${baseUrl}/inbox/${conversationId}`);
      for (const message of sent) await page.locator('[data-testid=message-body]', { hasText: message.body }).first().waitFor();
      await screenshot(page, `polish-newcomer-${size.name}`);
      expect(pageErrors).toEqual([]);
    });
  });
}
