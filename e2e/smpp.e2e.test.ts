/**
 * An SMPP carrier in the dashboard (issue 8's "done when"): the SMSC emulator listens in this
 * process; an admin creates an SMPP account pointing at it from the provider form and sees the
 * card turn "Bound"; Compose sends GSM-7, UCS-2 and a long text that reach `delivered` through the
 * emulator's receipts; MO single and concatenated (two UDH parts) land in the inbox as two
 * messages; a wrong password shows the bind error on the card.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSmscEmulator, type SmscEmulator } from '../src/providers/smpp/smpp.emulator';
import { apiCall, launchBrowser, OWNER, screenshot, signIn, signInOwner } from './helpers';

const baseUrl = inject('baseUrl');
// The same owner as dashboard.e2e.test.ts, so the files run in either order on one server.
// SMPP 3.4 limits: system_id ≤ 15 characters, password ≤ 8.
const LOGIN = { systemId: 'e2e-esme', password: 'e2e-pw1' };
const ACCOUNT_NAME = 'SMPP carrier';
// Numbers no other file on the shared server uses (inbox.e2e's lines are +1555{0,1}4000xx).
const OUR_NUMBER = '+15553300001';
const OUR_LABEL = '+1 555 330 0001';
const CUSTOMER = '+15553304000';
const MO_SENDER = '+15553305000';
const GSM_TEXT = 'Your SMPP line works {ok} @ 9';
const UCS_TEXT = 'Dzień dobry, Łukasz! Привет 👋';
const LONG_TEXT = 'Long SMPP message: ' + 'the plumber is on the way and arrives between nine and ten, please leave the side gate open. '.repeat(2).trim();
const MO_SINGLE = 'Is the shop open tomorrow?';
const MO_LONG = 'A long reply from the phone: ' + 'yes, the side gate is open and the dog is inside, so please ring the bell twice when you arrive. '.repeat(2).trim();

let browser: Browser;
let context: BrowserContext;
let page: Page;
let smsc: SmscEmulator;
const pageErrors: string[] = [];

beforeAll(async () => {
  // Receipts a little after each submit, so the thread shows the status moving.
  smsc = await startSmscEmulator({ ...LOGIN, receiptDelayMs: 300 });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInOwner(page, baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await smsc?.close();
});

async function fillSmppForm(name: string, credentials: Record<string, string>): Promise<void> {
  await page.goto(`${baseUrl}/admin/providers`);
  await page.click('[data-testid=add-provider]');
  const form = page.locator('[data-testid=account-form]');
  await form.locator('select[name=type]').selectOption('smpp');
  await form.locator('input[name=name]').fill(name);
  for (const [key, value] of Object.entries(credentials)) await form.locator(`input[name=cred-${key}]`).fill(value);
  await page.click('[data-testid=save-account]');
}

const sessionOf = (name: string) => page.locator('[data-testid=account-card]', { hasText: name }).locator('[data-testid=session-state]');

/** Compose → the thread; the counter above Send names the encoding and the segments first. */
async function sendFromCompose(body: string, encoding: 'GSM-7' | 'UCS-2', segments: number): Promise<void> {
  await page.goto(`${baseUrl}/compose`);
  const option = page.locator('[data-testid=from-select] option', { hasText: OUR_LABEL });
  await option.waitFor({ state: 'attached' });
  await page.selectOption('[data-testid=from-select]', (await option.getAttribute('value'))!);
  await page.fill('#to-input', CUSTOMER);
  await page.fill('textarea[name=body]', body);
  await expect.poll(() => page.locator('[data-testid=encoding]').textContent()).toContain(encoding);
  await expect.poll(() => page.locator('[data-testid=segments]').textContent()).toContain(`${segments} segment`);
  await page.click('[data-testid=send-button]');
  await page.waitForURL(/\/inbox\/[^/]+$/);
  const message = page.locator('[data-testid=message]', { hasText: body.slice(0, 40) });
  await expect.poll(() => message.locator('[data-testid=message-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('delivered');
}

describe('an SMPP carrier in the dashboard', () => {
  it('creates an SMPP account from the provider form and the card shows it bound', async () => {
    await fillSmppForm(ACCOUNT_NAME, { host: '127.0.0.1', port: String(smsc.port), ...LOGIN });
    const card = page.locator('[data-testid=account-card]', { hasText: ACCOUNT_NAME });
    await card.waitFor();
    // SMPP has no webhooks: the card shows the bind instead of webhook URLs.
    await expect.poll(() => sessionOf(ACCOUNT_NAME).getAttribute('data-state'), { timeout: 20_000 }).toBe('bound');
    expect(await sessionOf(ACCOUNT_NAME).textContent()).toContain('Bound');
    expect(await card.textContent()).not.toContain('Inbound webhook');
    expect(smsc.bindTypes).toEqual(['transceiver']);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'smpp-account-bound');
  });

  it('fits the bound card on a 360 px phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const mobile = await phone.newPage();
      await signIn(mobile, baseUrl, OWNER.email, OWNER.password);
      await mobile.goto(`${baseUrl}/admin/providers`);
      const card = mobile.locator('[data-testid=account-card]', { hasText: ACCOUNT_NAME });
      await card.locator('[data-testid=session-state][data-state=bound]').waitFor();
      await card.scrollIntoViewIfNeeded();
      expect(await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await screenshot(mobile, 'mobile-smpp-account-bound');
    } finally {
      await phone.close();
    }
  });

  it('sends GSM-7, UCS-2 and a long text from Compose; each reaches delivered through the SMSC receipts', async () => {
    const accounts = await apiCall<{ items: Array<{ id: string; name: string }> }>(context, baseUrl, 'GET', '/provider-accounts');
    const account = accounts.body.items.find((a) => a.name === ACCOUNT_NAME)!;
    const number = await apiCall(context, baseUrl, 'POST', '/numbers', { number: OUR_NUMBER, providerAccountId: account.id, destinations: { roles: ['owner'] }, defaultCountry: 'US' });
    expect(number.status, JSON.stringify(number.body)).toBe(201);

    let before = smsc.submits.length;
    await sendFromCompose(GSM_TEXT, 'GSM-7', 1);
    expect(smsc.submits.slice(before).map((s) => [s.source, s.destination, s.dataCoding, s.text, s.udh])).toEqual([[OUR_NUMBER.slice(1), CUSTOMER.slice(1), 0, GSM_TEXT, null]]);

    before = smsc.submits.length;
    await sendFromCompose(UCS_TEXT, 'UCS-2', 1);
    expect(smsc.submits.slice(before).map((s) => [s.dataCoding, s.text])).toEqual([[8, UCS_TEXT]]);

    before = smsc.submits.length;
    expect(LONG_TEXT.length).toBeGreaterThan(160);
    await sendFromCompose(LONG_TEXT, 'GSM-7', 2);
    // Two UDH parts; the message turned delivered only once both parts' receipts came.
    const parts = smsc.submits.slice(before);
    expect(parts.map((p) => [p.dataCoding, p.esmClass & 0x40, p.udh?.[0]?.[0]])).toEqual([
      [0, 0x40, 0x00],
      [0, 0x40, 0x00],
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(LONG_TEXT);
    await screenshot(page, 'smpp-thread-delivered');
  });

  it('receives MO from the SMSC, single and concatenated (two UDH parts), as two messages in the inbox', async () => {
    expect(await smsc.sendMo({ from: MO_SENDER, to: OUR_NUMBER, text: MO_SINGLE })).toEqual([0]);
    expect(MO_LONG.length).toBeGreaterThan(160);
    // Two parts, the second first: the joined message is stored when both are in.
    expect(await smsc.sendMo({ from: MO_SENDER, to: OUR_NUMBER, text: MO_LONG, order: [2, 1] })).toEqual([0, 0]);
    await page.goto(`${baseUrl}/inbox`);
    await page.locator('[data-testid=conversation]', { hasText: MO_LONG.slice(0, 28) }).click();
    const thread = page.locator('[data-testid=thread]');
    await thread.locator('[data-testid=message-body]', { hasText: MO_SINGLE }).waitFor();
    await expect.poll(() => thread.locator('[data-testid=message-body]').allTextContents()).toEqual([MO_SINGLE, MO_LONG]);
    await screenshot(page, 'smpp-inbox-mo');
  });

  it('shows a wrong password as the bind error on the card', async () => {
    await fillSmppForm('SMPP wrong password', { host: '127.0.0.1', port: String(smsc.port), systemId: LOGIN.systemId, password: 'nope' });
    const session = sessionOf('SMPP wrong password');
    await expect.poll(() => session.getAttribute('data-state'), { timeout: 20_000 }).toBe('disconnected');
    await expect.poll(() => session.textContent()).toContain('bind refused: ESME_RINVPASWD');
    expect(smsc.refusedBinds).toBeGreaterThanOrEqual(1);
    await session.scrollIntoViewIfNeeded();
    await screenshot(page, 'smpp-account-wrong-password');
    // Removed so it does not keep retrying against the shared server's later files.
    const accounts = await apiCall<{ items: Array<{ id: string; name: string }> }>(context, baseUrl, 'GET', '/provider-accounts');
    const wrong = accounts.body.items.find((a) => a.name === 'SMPP wrong password')!;
    expect((await apiCall(context, baseUrl, 'DELETE', `/provider-accounts/${wrong.id}`)).status).toBe(204);
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
