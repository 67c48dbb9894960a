/**
 * Issue 9 in the dashboard, on its own fresh server (so first run is ours, and started with
 * npm's INIT_CWD in the environment, which used to create a "Default" tenant): the organisation
 * name kept, presets and default country set, a template sent with variables filled, a case
 * message and a tokenless reply landing in the case, a PDF sent as a link whose opening is
 * recorded, and those changes in the audit log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCall, launchBrowser, screenshot } from './helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OWNER = { email: 'olive@example.com', password: 'harbour dental 1', name: 'Olive Owner' };
const ORG = 'Harbour Dental';
const SANDBOX_NUMBER = '+15550100001';
const PATIENT = '+15557770001';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

let server: ChildProcess;
let serverLog = '';
let dataDir: string;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-automation-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [path.join(ROOT, 'bin/switchboard.js'), 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // What `npm start` adds to the environment; it must not make a placeholder tenant.
      INIT_CWD: ROOT,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'switchboard.db')}`,
      LOG_LEVEL: 'warn',
      ALLOW_PRIVATE_URLS: '127.0.0.1/32',
    },
  });
  server.stdout!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited: ${serverLog.slice(-2000)}`);
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready: ${serverLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await new Promise((resolve) => (server?.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const messageWith = (text: string) => page.locator('[data-testid=message]', { hasText: text });

describe('automation in the dashboard', () => {
  it('keeps the organisation name typed at first run and shows it', async () => {
    await page.goto(baseUrl);
    await page.waitForURL(/\/setup$/);
    await page.fill('input[name=tenantName]', ORG);
    await page.fill('input[name=name]', OWNER.name);
    await page.fill('input[name=email]', OWNER.email);
    await page.fill('input[name=password]', OWNER.password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/inbox/);
    await expect.poll(() => page.locator('.topbar .tenant').textContent()).toBe(ORG);
    const tenant = await apiCall<{ name: string }>(context, baseUrl, 'GET', '/tenant');
    expect(tenant.body.name).toBe(ORG);
  });

  it('sets the default country, time zone and send-later presets; compose offers those presets', async () => {
    await page.click('a[href="/organisation"]');
    const form = page.locator('[data-testid=organisation-form]');
    await form.locator('input[name=defaultCountry]').fill('US');
    await form.locator('input[name=timeZone]').fill('America/New_York');
    // Replace the default presets with two of our own.
    while ((await form.locator('[data-testid=preset-row]').count()) > 0) await form.locator('[data-testid=preset-row] button[aria-label^="Remove preset"]').first().click();
    await form.locator('[data-testid=add-preset]').click();
    await form.locator('input[name=preset-label-0]').fill('Tomorrow 8am');
    await form.locator('input[name=preset-time-0]').fill('08:00');
    await form.locator('[data-testid=add-preset]').click();
    await form.locator('input[name=preset-label-1]').fill('Friday noon');
    await form.locator('select[name=preset-kind-1]').selectOption('weekday');
    await form.locator('select[name=preset-weekday-1]').selectOption('5');
    await form.locator('input[name=preset-time-1]').fill('12:00');
    await page.click('[data-testid=save-organisation]');
    await expect.poll(() => page.locator('[data-testid=organisation-result]').textContent()).toBe('Saved.');
    await screenshot(page, 'automation-organisation');
    const tenant = await apiCall<{ defaultCountry: string; timeZone: string; sendLaterPresets: Array<{ label: string; nextAt: string }> }>(context, baseUrl, 'GET', '/tenant');
    expect(tenant.body).toMatchObject({ defaultCountry: 'US', timeZone: 'America/New_York' });
    expect(tenant.body.sendLaterPresets.map((p) => p.label)).toEqual(['Tomorrow 8am', 'Friday noon']);
    // 12:00 in New York is 16:00 or 17:00 UTC, on a Friday there.
    const friday = new Date(tenant.body.sendLaterPresets[1]!.nextAt);
    expect([16, 17]).toContain(friday.getUTCHours());

    await page.click('a[href="/compose"]');
    await page.locator('button[title="Send later"]').click();
    const chips = page.locator('[data-testid=schedule] .presets .chip');
    await expect.poll(() => chips.allTextContents()).toEqual(['Tomorrow 8am', 'Friday noon']);
  });

  it('creates a template and sends it to a contact with the variables filled', async () => {
    const contact = await apiCall(context, baseUrl, 'POST', '/contacts', { name: 'Ann Lee', phones: ['(555) 777-0001'], fields: { invoice_no: 'INV-42' } });
    // The tenant's default country (US) read the local number.
    expect(contact).toMatchObject({ status: 201, body: { phones: [PATIENT] } });
    await page.click('a[href="/templates"]');
    await page.click('[data-testid=new-template]');
    await page.fill('input[name=templateName]', 'Invoice reminder');
    await page.fill('textarea[name=templateBody]', 'Hi {{ contact.first_name }}, invoice {{ contact.fields.invoice_no }} is due {{ due }}. {{ tenant.name }}');
    await page.click('[data-testid=save-template]');
    await page.locator('[data-testid=template-item]', { hasText: 'Invoice reminder' }).waitFor();

    await page.click('a[href="/compose"]');
    await page.fill('#to-input', PATIENT);
    await page.locator('[data-testid=normalised] button').click();
    await page.selectOption('select[name=template]', { label: 'Invoice reminder' });
    // Until "due" is filled, the preview names it and refuses to use the text.
    await expect.poll(() => page.locator('[data-testid=template-empty]').textContent()).toContain('due');
    await page.fill('input[name=var-due]', 'Friday');
    const expected = `Hi Ann, invoice INV-42 is due Friday. ${ORG}`;
    await expect.poll(() => page.locator('[data-testid=template-preview] .body').textContent()).toBe(expected);
    expect(await page.locator('[data-testid=template-segments]').textContent()).toContain('1 segment');
    await page.click('[data-testid=use-template]');
    await expect.poll(() => page.locator('textarea[name=body]').inputValue()).toBe(expected);
    await screenshot(page, 'automation-template-compose');
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/[^/]+$/);
    await messageWith(expected).waitFor();
  });

  it('sends a message in a case and the tokenless reply lands in the case', async () => {
    // From the conversation: open a case for it.
    await page.click('[data-testid=conversation-cases]');
    await page.waitForURL(/\/cases\?conversationId=/);
    await page.fill('input[name=caseTitle]', 'Invoice query');
    await page.click('[data-testid=create-case]');
    await page.waitForURL(/\/cases\/case_/);
    const token = ((await page.locator('[data-testid=case-token]').textContent()) ?? '').replace(/[[\]]/g, '');
    expect(token).toMatch(/^SB-[A-Z0-9]{6}$/);
    await page.fill('textarea[name=caseBody]', 'Did you receive the invoice?');
    await page.click('[data-testid=case-send]');
    await messageWith(`Did you receive the invoice? [${token}]`).waitFor({ timeout: 10_000 });

    const reply = await apiCall(context, baseUrl, 'POST', '/sandbox/inbound', { from: PATIENT, to: SANDBOX_NUMBER, body: 'Yes, paid it yesterday' });
    expect(reply.status).toBe(202);
    await page.locator('[data-testid=case-messages] .bubble-row.inbound', { hasText: 'Yes, paid it yesterday' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'automation-case');
    // The conversation links to the case.
    await page.click('text=Open the conversation');
    await page.locator('[data-testid=case-links] a', { hasText: token }).waitFor();
  });

  it('sends a PDF as a link and records when it is opened', async () => {
    await page.click('a[href="/compose"]');
    await page.fill('#to-input', PATIENT);
    await page.locator('[data-testid=normalised] button').click();
    await page.fill('textarea[name=body]', 'Your quote is attached:');
    await page.setInputFiles('[data-testid=file-input]', { name: 'Quote 17.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('[data-testid=documents]', { hasText: 'Quote 17.pdf' }).waitFor();
    await page.click('[data-testid=send-button]');
    await page.waitForURL(/\/inbox\/[^/]+$/);
    const bubble = messageWith('Your quote is attached:');
    await bubble.waitFor();
    const body = (await bubble.locator('[data-testid=message-body]').textContent()) ?? '';
    const link = new RegExp(`${baseUrl.replace(/[.]/g, '\\.')}/d/[A-Za-z0-9_-]{12}`).exec(body)?.[0];
    expect(link, body).toBeTruthy();
    expect(await bubble.locator('img').count()).toBe(0);

    const reader = await context.newPage();
    const opened = await reader.request.get(link!);
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-type']).toBe('application/pdf');
    expect(Buffer.from(await opened.body()).equals(PDF)).toBe(true);
    await reader.close();
    await expect.poll(() => bubble.locator('.history-pop').textContent(), { timeout: 10_000 }).toContain('Link opened');
  });

  it('shows those changes in the owners’ audit log', async () => {
    await page.click('a[href="/audit-log"]');
    const rows = page.locator('[data-testid=audit-row]');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['tenant.updated', 'template.created']));
    const settingsRow = page.locator('[data-testid=audit-row][data-action="tenant.updated"]').first();
    expect(await settingsRow.textContent()).toContain(OWNER.email);
    expect(await settingsRow.textContent()).toContain('America/New_York');
    await page.fill('input[name=auditAction]', 'template.*');
    await expect.poll(() => rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-action')))).toEqual(['template.created']);
    await screenshot(page, 'automation-audit-log');
    expect(pageErrors).toEqual([]);
  });
});
