/**
 * Carriers of the second batch in the dashboard: an admin creates a BulkVS account from the
 * provider form against the BulkVS emulator (a real HTTP server speaking BulkVS's wire format and
 * posting SMPP-text receipts to the account's token URL), sends from Compose, and the message
 * reaches the emulator as BulkVS's JSON and turns `delivered`; an inbound BulkVS message lands in
 * the inbox. A Skyetel account (no receipts) says so in the form and on its card.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBulkvsEmulator } from '../src/providers/bulkvs/bulkvs.emulator';
import { startSkyetelEmulator } from '../src/providers/skyetel/skyetel.emulator';
import type { ProviderEmulator } from '../src/providers/testing/emulator';
import { apiCall, launchBrowser, screenshot, signInOwner } from './helpers';

const baseUrl = inject('baseUrl');
// The same owner as dashboard.e2e.test.ts, so the files run in either order on one server.
const BULKVS = { apiUsername: 'e2e-bulkvs-user', apiToken: 'e2e-bulkvs-token-0123456789' };
const SKYETEL = { sid: 'e2e-skyetel-sid', secret: 'e2e-skyetel-secret' };
const OUR_NUMBER = '+15550300001';
const OUR_LABEL = '+1 555 030 0001';
const CUSTOMER = '+15550303000';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let bulkvs: ProviderEmulator;
let skyetel: ProviderEmulator;
const pageErrors: string[] = [];

beforeAll(async () => {
  bulkvs = await startBulkvsEmulator({ ...BULKVS, callbackDelayMs: 300 });
  skyetel = await startSkyetelEmulator(SKYETEL);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInOwner(page, baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await bulkvs?.close();
  await skyetel?.close();
});

async function createAccount(type: string, name: string, credentials: Record<string, string>, emulatorUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/admin/providers`);
  await page.click('[data-testid=add-provider]');
  const form = page.locator('[data-testid=account-form]');
  await form.locator('select[name=type]').selectOption(type);
  await form.locator('input[name=name]').fill(name);
  for (const [key, value] of Object.entries(credentials)) await form.locator(`input[name=cred-${key}]`).fill(value);
  await form.locator('input[name=baseUrl]').fill(emulatorUrl);
  return type;
}

describe('second-batch carriers in the dashboard', () => {
  let webhookUrl = '';

  it('creates a BulkVS account from the provider form and shows its token webhook URL', async () => {
    await createAccount('bulkvs', 'BulkVS main', BULKVS, bulkvs.baseUrl);
    // BulkVS has receipts: no warning in the form.
    expect(await page.locator('[data-testid=type-no-receipts]').count()).toBe(0);
    await page.click('[data-testid=save-account]');
    const card = page.locator('[data-testid=account-card]', { hasText: 'BulkVS main' });
    await card.waitFor();
    webhookUrl = (await card.locator('code').first().textContent()) ?? '';
    expect(webhookUrl).toMatch(new RegExp(`^${baseUrl}/webhook/bulkvs/sms/pa_[\\w-]+\\?token=[\\w-]{20,}$`));
    expect(await card.locator('[data-testid=no-receipts]').count()).toBe(0);
    // The URL the admin pastes into BulkVS's message webhook: receipts and inbound arrive there.
    bulkvs.useWebhookUrl!(webhookUrl);
  });

  it('sends from Compose through BulkVS in its wire format and reaches delivered through its SMPP-text receipt', async () => {
    const accounts = await apiCall<{ items: Array<{ id: string; name: string }> }>(context, baseUrl, 'GET', '/provider-accounts');
    const account = accounts.body.items.find((a) => a.name === 'BulkVS main')!;
    const number = await apiCall(context, baseUrl, 'POST', '/numbers', { number: OUR_NUMBER, providerAccountId: account.id, destinations: { roles: ['owner'] }, defaultCountry: 'US' });
    expect(number.status, JSON.stringify(number.body)).toBe(201);
    const before = bulkvs.requests.length;
    await page.goto(`${baseUrl}/compose`);
    const option = page.locator('[data-testid=from-select] option', { hasText: OUR_LABEL });
    await option.waitFor({ state: 'attached' });
    await page.selectOption('[data-testid=from-select]', (await option.getAttribute('value'))!);
    await page.fill('#to-input', CUSTOMER);
    await page.fill('textarea[name=body]', 'Your BulkVS line works');
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/[^/]+$/);
    const message = page.locator('[data-testid=message]', { hasText: 'Your BulkVS line works' });
    await expect.poll(() => message.locator('[data-testid=message-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('delivered');
    const sent = bulkvs.requests.slice(before).filter((r) => r.url === '/api/v1.0/messageSend');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe('Basic ' + Buffer.from(`${BULKVS.apiUsername}:${BULKVS.apiToken}`).toString('base64'));
    expect(JSON.parse(sent[0]!.text)).toEqual({ From: OUR_NUMBER.slice(1), To: [CUSTOMER.slice(1)], Message: 'Your BulkVS line works' });
    await screenshot(page, 'carriers-bulkvs-delivered');
  });

  it('receives an inbound BulkVS message (form-encoded text) into the inbox; a tokenless copy is refused', async () => {
    const inbound = bulkvs.buildInbound({ webhookUrl, from: CUSTOMER, to: OUR_NUMBER, body: 'Thanks, see you at 5, ok?' });
    expect(inbound.body).toContain('see+you+at+5%2C+ok%3F');
    const answer = await bulkvs.deliver(inbound);
    expect(answer.status).toBe(200);
    await page.goto(`${baseUrl}/inbox`);
    await page.locator('[data-testid=conversation]', { hasText: 'Thanks, see you at 5, ok?' }).click();
    await page.locator('[data-testid=message-body]', { hasText: 'Thanks, see you at 5, ok?' }).waitFor();
    const tokenless = await bulkvs.deliver({ ...inbound, url: webhookUrl.replace(/\?token=.*$/, '') });
    expect(tokenless.status).toBe(403);
  });

  it('says on the form and on the card that Skyetel gives no delivery receipts', async () => {
    await createAccount('skyetel', 'Skyetel backup', SKYETEL, skyetel.baseUrl);
    await expect.poll(() => page.locator('[data-testid=type-no-receipts]').textContent()).toContain('This carrier gives no delivery receipts');
    await page.click('[data-testid=save-account]');
    const card = page.locator('[data-testid=account-card]', { hasText: 'Skyetel backup' });
    await card.waitFor();
    expect(await card.locator('[data-testid=no-receipts]').textContent()).toContain('This carrier gives no delivery receipts');
    await screenshot(page, 'carriers-skyetel-no-receipts');
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
