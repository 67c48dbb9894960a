/**
 * The generic HTTP provider end to end: an admin configures an account from the dashboard form
 * for a local test carrier (src/providers/http/http.emulator.ts, a real HTTP server that signs
 * its webhooks with HMAC), sees the Try-it preview of the request and of a pasted payload, then
 * sends through the carrier, gets its receipts to `delivered`, and receives a signed inbound
 * message in the inbox.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHttpCarrierEmulator, CARRIER_SIGNATURE_HEADER } from '../src/providers/http/http.emulator';
import type { ProviderEmulator } from '../src/providers/testing/emulator';
import { apiCall, launchBrowser, screenshot, signInOwner } from './helpers';

const baseUrl = inject('baseUrl');
// The same owner as dashboard.e2e.test.ts, so the files run in either order on one server.
const TOKEN = 'local-carrier-token-42';
const SECRET = 'local-carrier-hmac-secret';
const OUR_NUMBER = '+15550200001';
const OUR_LABEL = '+1 555 020 0001';
const CUSTOMER = '+15550202000';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let carrier: ProviderEmulator;
const pageErrors: string[] = [];

beforeAll(async () => {
  carrier = await startHttpCarrierEmulator({ authorization: `Bearer ${TOKEN}`, webhookSecret: SECRET, webhookFormat: 'json', callbackDelayMs: 300 });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInOwner(page, baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await carrier?.close();
});

describe('generic HTTP provider in the dashboard', () => {
  let webhookUrl = '';

  it('configures an account from the form and sees the Try-it preview', async () => {
    await page.goto(`${baseUrl}/admin/providers`);
    await page.click('[data-testid=add-provider]');
    const form = page.locator('[data-testid=account-form]');
    // Aire Networks is offered by name in the picker.
    expect(await form.locator('select[name=type] option', { hasText: 'Aire Networks' }).count()).toBe(1);
    await form.locator('select[name=type]').selectOption('http');
    await expect.poll(() => form.locator('[data-testid=type-logo]').textContent()).toBe('HTTP');
    await form.locator('input[name=name]').fill('Local carrier');
    await form.locator('input[name=http-url]').fill(`${carrier.baseUrl}/api/v1/sms`);
    await form.locator('select[name=http-auth]').selectOption('bearer');
    await form.locator('input[name=cred-token]').fill(TOKEN);
    await form.locator('textarea[name=http-body]').fill(
      JSON.stringify({ sender: '{{ from }}', recipient: '{{ to | digits }}', text: '{{ body }}', media: '{{ media_urls }}', reference: '{{ message_id }}', callback_url: '{{ status_callback_url }}' }, null, 2),
    );
    await form.locator('input[name=http-success-path]').fill('status');
    await form.locator('input[name=http-success-value]').fill('accepted');
    await form.locator('input[name=http-id-path]').fill('data.id');
    await form.locator('input[name=http-error-code-path]').fill('error.code');
    await form.locator('input[name=http-error-message-path]').fill('error.message');
    await form.locator('input[name=http-in-from]').fill('msisdn');
    await form.locator('input[name=http-in-to]').fill('shortcode');
    await form.locator('input[name=http-in-body]').fill('text');
    await form.locator('input[name=http-in-media]').fill('media[*].url');
    await form.locator('input[name=http-in-id]').fill('mo_id');
    await form.locator('input[name=http-rcpt-id]').fill('msg_id');
    await form.locator('input[name=http-rcpt-status]').fill('state');
    await form.locator('textarea[name=http-rcpt-table]').fill('ACCEPTD=queued\nENROUTE=sent\nDELIVRD=delivered\nUNDELIV=undelivered\nREJECTD=failed');
    await form.locator('input[name=http-rcpt-error]').fill('err');
    await form.locator('select[name=http-hook-type]').selectOption('hmac');
    await form.locator('input[name=http-hook-header]').fill(CARRIER_SIGNATURE_HEADER);
    await form.locator('input[name=cred-webhookSecret]').fill(SECRET);

    // Try it: the exact request, with the token masked.
    const tryIt = form.locator('[data-testid=try-it]');
    await tryIt.locator('input[name=try-to]').fill('+34 612 345 678');
    await tryIt.locator('input[name=try-body]').fill('Hola');
    await tryIt.locator('[data-testid=preview-request]').click();
    const requestPreview = tryIt.locator('[data-testid=preview-request-result]');
    await expect.poll(() => requestPreview.textContent()).toContain(`POST ${carrier.baseUrl}/api/v1/sms`);
    const shown = (await requestPreview.textContent()) ?? '';
    expect(shown).toContain('authorization: Bearer «token»');
    expect(shown).toContain('"recipient":"34612345678"');
    expect(shown).toContain('"text":"Hola"');
    expect(shown).not.toContain(TOKEN);

    // A pasted payload without the "to" field is refused by name; a whole one maps.
    await tryIt.locator('textarea[name=try-payload]').fill(JSON.stringify({ mo_id: 'MO-1', msisdn: '15550202000', text: 'Hi' }));
    await tryIt.locator('[data-testid=preview-inbound]').click();
    const inboundPreview = tryIt.locator('[data-testid=preview-inbound-result]');
    await expect.poll(() => inboundPreview.textContent()).toContain('inbound.to: "shortcode" found nothing in the payload');
    await tryIt.locator('textarea[name=try-payload]').fill(JSON.stringify({ mo_id: 'MO-1', msisdn: '15550202000', shortcode: '15550200001', text: 'Hi' }));
    await tryIt.locator('[data-testid=preview-inbound]').click();
    await expect.poll(() => inboundPreview.textContent()).toContain('"from": "+15550202000"');
    await screenshot(page, 'http-provider-try-it');

    await page.click('[data-testid=save-account]');
    const card = page.locator('[data-testid=account-card]', { hasText: 'Local carrier' });
    await card.waitFor();
    webhookUrl = (await card.locator('code').first().textContent()) ?? '';
    expect(webhookUrl).toMatch(new RegExp(`^${baseUrl}/webhook/http/sms/pa_[\\w-]+\\?token=`));

    // Editing loads the stored configuration; the preview uses the stored token, still masked.
    await card.locator('button', { hasText: 'Edit' }).click();
    const editForm = card.locator('[data-testid=account-form]');
    await expect.poll(() => editForm.locator('input[name=http-url]').inputValue()).toBe(`${carrier.baseUrl}/api/v1/sms`);
    expect(await editForm.locator('textarea[name=http-rcpt-table]').inputValue()).toContain('DELIVRD=delivered');
    await editForm.locator('[data-testid=preview-request]').click();
    const editPreview = editForm.locator('[data-testid=preview-request-result]');
    await expect.poll(() => editPreview.textContent()).toContain('authorization: Bearer «token»');
    expect(await editPreview.textContent()).toContain(webhookUrl.replace(/\?.*$/, ''));
    await editForm.locator('button', { hasText: 'Cancel' }).click();
  });

  it('sends through the local carrier and reaches delivered through its receipts', async () => {
    const accounts = await apiCall<{ items: Array<{ id: string; name: string }> }>(context, baseUrl, 'GET', '/provider-accounts');
    const account = accounts.body.items.find((a) => a.name === 'Local carrier')!;
    const number = await apiCall(context, baseUrl, 'POST', '/numbers', { number: OUR_NUMBER, providerAccountId: account.id, destinations: { roles: ['owner'] }, defaultCountry: 'US' });
    expect(number.status).toBe(201);
    const before = carrier.requests.length;
    await page.goto(`${baseUrl}/compose`);
    const option = page.locator('[data-testid=from-select] option', { hasText: OUR_LABEL });
    await option.waitFor({ state: 'attached' });
    await page.selectOption('[data-testid=from-select]', (await option.getAttribute('value'))!);
    await page.fill('#to-input', CUSTOMER);
    await page.fill('textarea[name=body]', 'Your generic carrier works');
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/[^/]+$/);
    const message = page.locator('[data-testid=message]', { hasText: 'Your generic carrier works' });
    await expect.poll(() => message.locator('[data-testid=message-status]').getAttribute('data-status'), { timeout: 15_000 }).toBe('delivered');
    const sent = carrier.requests.slice(before).find((r) => r.url === '/api/v1/sms')!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(sent.text)).toMatchObject({ sender: OUR_NUMBER, recipient: CUSTOMER.slice(1), text: 'Your generic carrier works', callback_url: webhookUrl });
  });

  it('receives a signed inbound message from the carrier into the inbox', async () => {
    const answer = await carrier.deliver(carrier.buildInbound({ webhookUrl, from: CUSTOMER, to: OUR_NUMBER, body: 'Thanks, got it through the HTTP carrier' }));
    expect(answer.status).toBe(200);
    await page.goto(`${baseUrl}/inbox`);
    await page.locator('[data-testid=conversation]', { hasText: 'Thanks, got it through the HTTP carrier' }).click();
    await page.locator('[data-testid=message-body]', { hasText: 'Thanks, got it through the HTTP carrier' }).waitFor();
    await screenshot(page, 'http-provider-inbox');
    // A forged copy (body changed after signing) is refused.
    const genuine = carrier.buildInbound({ webhookUrl, from: CUSTOMER, to: OUR_NUMBER, body: 'Forged' });
    const forged = await carrier.deliver({ ...genuine, body: genuine.body.replace('Forged', 'Evil!!') });
    expect(forged.status).toBe(403);
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
