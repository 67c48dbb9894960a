/**
 * Workflows and event webhooks in the dashboard (issue 9), on a fresh server of its own: the owner
 * builds "incoming YES* → send the template 'Thanks, see you {{ contact.first_name }}' and set
 * confirmed = yes", the sandbox phone answers "yes please" and the run shows in the log; then a
 * local receiver is subscribed to events, its secret shown once verifies deliveries with the
 * Standard Webhooks algorithm, and the delivery log, test event and audit log show it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiCall, launchBrowser, screenshot } from './helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OWNER = { email: 'wanda@example.com', password: 'workflow owner 1', name: 'Wanda Owner' };
const SANDBOX_NUMBER = '+15550100001';
const PATIENT = '+15557770011';

let server: ChildProcess;
let serverLog = '';
let dataDir: string;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: http.Server;
let receiverUrl = '';
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
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
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/switchboard-events`;

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-e2e-workflows-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [path.join(ROOT, 'bin/switchboard.js'), 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'switchboard.db')}`,
      LOG_LEVEL: 'warn',
      // The local receiver is on loopback: the operator allows exactly that.
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

  await page.goto(baseUrl);
  await page.waitForURL(/\/setup$/);
  await page.fill('input[name=tenantName]', 'Harbour Dental');
  await page.fill('input[name=name]', OWNER.name);
  await page.fill('input[name=email]', OWNER.email);
  await page.fill('input[name=password]', OWNER.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/inbox/);
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await new Promise((resolve) => (server?.exitCode !== null ? resolve(null) : server.once('exit', resolve)));
  await new Promise((resolve) => receiver?.close(resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('workflows and event webhooks in the dashboard', () => {
  it('creates the YES* workflow and shows its run when the sandbox phone answers "yes please"', async () => {
    const contact = await apiCall<{ id: string }>(context, baseUrl, 'POST', '/contacts', { name: 'Ann Lee', phones: [PATIENT] });
    expect(contact.status).toBe(201);
    const template = await apiCall(context, baseUrl, 'POST', '/templates', { name: 'Thanks', body: 'Thanks, see you {{ contact.first_name }}' });
    expect(template.status).toBe(201);

    await page.click('a[href="/workflows"]');
    await page.click('[data-testid=new-workflow]');
    await page.waitForURL(/\/workflows\/new$/);
    const form = page.locator('[data-testid=workflow-form]');
    await form.locator('input[name=workflowName]').fill('Confirm appointment');
    await form.locator('input[name=bodyGlob]').fill('YES*');
    await form.locator('select[aria-label="Step type"]').selectOption('send_message');
    await form.locator('[data-testid=add-step]').click();
    await form.locator('select[aria-label="Step 1 template"]').selectOption({ label: 'Thanks' });
    await form.locator('select[aria-label="Step type"]').selectOption('set_contact_field');
    await form.locator('[data-testid=add-step]').click();
    await form.locator('input[aria-label="Step 2 field"]').fill('confirmed');
    await form.locator('input[aria-label="Step 2 value"]').fill('yes');
    await form.locator('[data-testid=save-workflow]').click();
    await page.waitForURL(/\/workflows\/wf_/);
    await page.locator('[data-testid=run-log]').waitFor();

    const reply = await apiCall(context, baseUrl, 'POST', '/sandbox/inbound', { from: PATIENT, to: SANDBOX_NUMBER, body: 'yes please' });
    expect(reply.status).toBe(202);
    const run = page.locator('[data-testid=run-item]').first();
    await expect.poll(() => run.locator('[data-testid=run-status]').textContent(), { timeout: 15_000 }).toBe('completed');
    const steps = await run.locator('[data-testid=run-step]').allTextContents();
    expect(steps[0]).toContain('Send a message: ok');
    expect(steps[0]).toContain('Thanks, see you Ann');
    expect(steps[1]).toContain('Set a contact field: ok');
    await screenshot(page, 'workflows-run-log');
    const updated = await apiCall<{ fields: Record<string, string> }>(context, baseUrl, 'GET', `/contacts/${contact.body.id}`);
    expect(updated.body.fields.confirmed).toBe('yes');
  });

  it('subscribes a local receiver, shows the secret once, and its deliveries verify with Standard Webhooks', async () => {
    await page.click('a[href="/event-webhooks"]');
    const form = page.locator('[data-testid=webhook-form]');
    await form.locator('input[name=webhookUrl]').fill(receiverUrl);
    await form.locator('[data-testid=create-webhook]').click();
    const secret = (await page.locator('[data-testid=webhook-secret-value]').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.locator('[data-testid=webhook-secret] button', { hasText: 'I have saved it' }).click();
    await expect.poll(() => page.locator('[data-testid=webhook-secret]').count()).toBe(0);

    const inbound = await apiCall<{ id: string }>(context, baseUrl, 'POST', '/sandbox/inbound', { from: PATIENT, to: SANDBOX_NUMBER, body: 'See you Tuesday' });
    await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const delivery = received.find((r) => r.body.includes('See you Tuesday'))!;
    const headers = { 'webhook-id': String(delivery.headers['webhook-id']), 'webhook-timestamp': String(delivery.headers['webhook-timestamp']), 'webhook-signature': String(delivery.headers['webhook-signature']) };
    const event = new Webhook(secret).verify(delivery.body, headers) as { type: string; data: { id: string; body: string } };
    expect(event).toMatchObject({ type: 'message.received', data: { id: inbound.body.id, body: 'See you Tuesday' } });

    const item = page.locator('[data-testid=webhook-item]', { hasText: receiverUrl });
    await item.locator('[data-testid=webhook-test]').click();
    const log = item.locator('[data-testid=delivery-log]');
    await log.locator('[data-testid=delivery-row]', { hasText: 'webhook.test' }).locator('[data-testid=delivery-status]', { hasText: 'succeeded' }).waitFor({ timeout: 15_000 });
    await log.locator('[data-testid=delivery-row]', { hasText: 'message.received' }).locator('[data-testid=delivery-attempt]', { hasText: '200' }).first().waitFor();
    await screenshot(page, 'workflows-event-webhooks');

    const audit = await apiCall<{ items: Array<{ action: string }> }>(context, baseUrl, 'GET', '/audit-log?limit=100');
    const actions = audit.body.items.map((e) => e.action);
    expect(actions).toContain('workflow.created');
    expect(actions).toContain('event_webhook.created');
    expect(JSON.stringify(audit.body)).not.toContain(secret);
    expect(pageErrors).toEqual([]);
  });
});
