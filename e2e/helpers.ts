/** playwright-core against Debian's Chromium (no downloaded browsers here), plus API helpers. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Calls the API as the signed-in browser user (same cookies), with the CSRF token on writes. */
export async function apiCall<T = unknown>(context: BrowserContext, baseUrl: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, data?: unknown): Promise<{ status: number; body: T }> {
  const me = await context.request.get(`${baseUrl}/api/v1/me`);
  const csrf = ((await me.json()) as { csrfToken: string }).csrfToken;
  const response = await context.request.fetch(`${baseUrl}/api/v1${url}`, { method, headers: { 'x-csrf-token': csrf }, data: data as never });
  const text = await response.text();
  return { status: response.status(), body: (text ? JSON.parse(text) : null) as T };
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/inbox/);
}

/** The owner every file on the shared server works as (dashboard.e2e creates it, whichever file runs first does otherwise). */
export const OWNER = { email: 'owner@example.com', password: 'correct horse battery', name: 'Olivia Owner' };

/** Leaves `page` signed in as OWNER, creating the organisation and its owner first when the server has none. */
export async function signInOwner(page: Page, baseUrl: string): Promise<void> {
  const setup = (await (await fetch(`${baseUrl}/api/v1/auth/setup`)).json()) as { needsSetup: boolean };
  if (!setup.needsSetup) return signIn(page, baseUrl, OWNER.email, OWNER.password);
  await page.goto(`${baseUrl}/setup`);
  await page.fill('input[name=tenantName]', 'Acme Plumbing');
  await page.fill('input[name=name]', OWNER.name);
  await page.fill('input[name=email]', OWNER.email);
  await page.fill('input[name=password]', OWNER.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/inbox/);
}

/** Makes sure the server has its owner, for files that sign in on their own later. */
export async function ensureOwner(browser: Browser, baseUrl: string): Promise<void> {
  const context = await browser.newContext();
  try {
    await signInOwner(await context.newPage(), baseUrl);
  } finally {
    await context.close();
  }
}

/** Polls until `check` gives a value (expect.poll only runs inside a test, not in beforeAll). */
export async function until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
