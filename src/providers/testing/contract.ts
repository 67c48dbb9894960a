/**
 * The contract every adapter passes, end to end through the real app and the provider's local
 * emulator: exact outbound wire format, receipts to `delivered`, signed inbound SMS and MMS,
 * forged and replayed webhooks, malformed bodies, error mapping, and the Test action.
 * Call describeProviderContract() first in each `<id>.provider.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../../../test/helper.js';
import type { Deliver, ProviderEmulator, RecordedRequest, SignedWebhook } from './emulator.js';
import { TINY_PNG } from './emulator.js';

export interface ContractOptions {
  type: string;
  credentials: Record<string, string>;
  startEmulator: (deliver: Deliver) => Promise<ProviderEmulator>;
  /** The account's baseUrl for this emulator (default: emulator.baseUrl). */
  baseUrl?: (emulator: ProviderEmulator) => string;
  ourNumber?: string;
  remoteNumber?: string;
  mms?: boolean;
  /** Asserts the exact API request the adapter made for a send. */
  expectSendRequest: (request: RecordedRequest, sent: { from: string; to: string; body: string; mediaUrls: string[] }) => void;
  /**
   * `signature` (default): the provider signs requests, so a request without its headers is
   * refused. `url-token`: the provider cannot sign, so the webhook URL carries a secret token
   * and a request without it (or with a wrong one) is refused.
   */
  authScheme?: 'signature' | 'url-token';
  /** Alters a signed webhook so that its signature no longer holds (default: changes the body, or the URL token). */
  forge?: (webhook: SignedWebhook) => SignedWebhook;
  /** Removes the signature from a signed webhook (default: drops every header but content-type; Vonage's SMS API signs with a body parameter). */
  unsign?: (webhook: SignedWebhook) => SignedWebhook;
  /** A signed webhook whose timestamp is outside the tolerance, for timestamped schemes. */
  stale?: (emulator: ProviderEmulator, webhookUrl: string) => SignedWebhook;
  /** Provider error answers and what they must become. */
  errors?: Array<{ status: number; body: unknown; expect: 'retry' | { code: string } }>;
  /** Provider status words → our status, sent as receipts by the emulator. */
  statuses?: Record<string, string>;
  /** False for carriers without delivery receipts: an accepted send ends at `sent` instead of `delivered`. */
  receipts?: boolean;
}

export function describeProviderContract(options: ContractOptions): void {
  const ourNumber = options.ourNumber ?? '+15005550006';
  const remote = options.remoteNumber ?? '+15551234567';
  const accepted = options.receipts === false ? 'sent' : 'delivered';

  describe(`${options.type} provider contract`, () => {
    let harness: TestApp;
    let emulator: ProviderEmulator;
    let tenant: Tenant;
    let accountId: string;
    let webhookUrl: string;

    const inject: Deliver = async (url, init) => {
      const parsed = new URL(url);
      const response = await harness.app.inject({ method: init.method as 'POST', url: parsed.pathname + parsed.search, headers: init.headers, payload: init.method === 'GET' ? undefined : init.body });
      return { status: response.statusCode, body: response.body };
    };
    const countMessages = async () => Number((await harness.ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const send = async (payload: Record<string, unknown>) => {
      const response = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload });
      expect(response.statusCode, response.body).toBe(202);
      return response.json().id as string;
    };
    const getMessage = async (id: string) => (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: tenant.auth })).json();

    beforeAll(async () => {
      harness = await createTestApp();
      emulator = await options.startEmulator(inject);
      tenant = await createTestTenant(harness.ctx);
      const created = await createAccountAndNumber(harness.app, tenant, { type: options.type, credentials: options.credentials, baseUrl: (options.baseUrl ?? ((e) => e.baseUrl))(emulator), number: ourNumber, mps: 0 });
      accountId = created.accountId;
      webhookUrl = created.webhookUrl;
      emulator.useWebhookUrl?.(webhookUrl);
    });
    afterAll(async () => {
      await emulator?.close();
      await harness?.close();
    });

    it(`sends an SMS in the provider format and reaches ${accepted}${options.receipts === false ? ' (no receipts)' : ' through its receipts'}`, async () => {
      const before = emulator.requests.length;
      const id = await send({ from: ourNumber, to: remote, body: 'Hello from the contract' });
      // A receipt matched by numbers (no id in it) can reach `accepted` before the send's own answer has stored the carrier's id.
      const message = await eventually(async () => {
        const m = await getMessage(id);
        return m.status === accepted && m.providerMessageId && m;
      });
      expect(emulator.requests.length - before).toBe(1);
      options.expectSendRequest(emulator.requests[before]!, { from: ourNumber, to: remote, body: 'Hello from the contract', mediaUrls: [] });
      expect(message.providerMessageId).toBeTruthy();
      // `sent` may be overtaken by `delivered` (receipts race); it is then not a transition.
      expect(message.history.map((h: { status: string }) => h.status)).toEqual(expect.arrayContaining(['queued', 'sending', accepted]));
      expect(message.sentAt).toBeTruthy();
    });

    if (options.mms !== false) {
      it(`sends an MMS with its media URL and reaches ${accepted}`, async () => {
        const before = emulator.requests.length;
        const id = await send({ from: ourNumber, to: remote, body: 'A picture', media: [{ url: 'https://cdn.example.com/cat.png' }] });
        await eventually(async () => (await getMessage(id)).status === accepted);
        options.expectSendRequest(emulator.requests[before]!, { from: ourNumber, to: remote, body: 'A picture', mediaUrls: ['https://cdn.example.com/cat.png'] });
      });
    }

    it('stores a signed inbound SMS in its conversation', async () => {
      const response = await emulator.deliver(emulator.buildInbound({ webhookUrl, from: remote, to: ourNumber, body: 'Inbound hello' }));
      expect(response.status, response.body).toBeLessThan(300);
      const list = await harness.app.inject({ method: 'GET', url: '/api/v1/messages?direction=inbound&q=Inbound%20hello', headers: tenant.auth });
      const [message] = list.json().items;
      expect(message).toMatchObject({ from: remote, to: ourNumber, body: 'Inbound hello', status: 'received', providerType: options.type });
      const conversations = await harness.app.inject({ method: 'GET', url: '/api/v1/conversations', headers: tenant.auth });
      expect(conversations.json().items.some((c: { id: string }) => c.id === message.conversationId)).toBe(true);
    });

    if (options.mms !== false) {
      it('stores a signed inbound MMS and downloads its media', async () => {
        const response = await emulator.deliver(emulator.buildInbound({ webhookUrl, from: remote, to: ourNumber, body: 'Inbound picture', media: [{ contentType: 'image/png', data: TINY_PNG }] }));
        expect(response.status, response.body).toBeLessThan(300);
        const message = await eventually(async () => {
          const list = await harness.app.inject({ method: 'GET', url: '/api/v1/messages?direction=inbound&q=Inbound%20picture', headers: tenant.auth });
          const [m] = list.json().items;
          return m?.media?.[0]?.size > 0 && m;
        });
        expect(message.media[0]).toMatchObject({ contentType: 'image/png', size: TINY_PNG.length });
        const media = await harness.app.inject({ method: 'GET', url: new URL(message.media[0].url).pathname + new URL(message.media[0].url).search });
        expect(media.rawPayload.equals(TINY_PNG)).toBe(true);
      });
    }

    it('refuses a forged signature and stores nothing', async () => {
      const before = await countMessages();
      const genuine = emulator.buildInbound({ webhookUrl, from: remote, to: ourNumber, body: 'Forged hello' });
      const urlToken = options.authScheme === 'url-token';
      const withToken = (token: string | null) => {
        const url = new URL(genuine.url);
        if (token === null) url.searchParams.delete('token');
        else url.searchParams.set('token', token);
        return url.toString();
      };
      const forged = options.forge
        ? options.forge(genuine)
        : urlToken
          ? { ...genuine, url: withToken('wrong-token') }
          : { ...genuine, body: genuine.body.replace('Forged', 'Evil') };
      const response = await emulator.deliver(forged);
      expect([401, 403]).toContain(response.status);
      const unsigned = options.unsign
        ? options.unsign(genuine)
        : urlToken
        ? { ...genuine, url: withToken(null) }
        : { ...genuine, headers: Object.fromEntries(Object.entries(genuine.headers).filter(([k]) => /content-type/i.test(k))) };
      const missing = await emulator.deliver(unsigned);
      expect([401, 403]).toContain(missing.status);
      expect(await countMessages()).toBe(before);
      const log = await harness.app.inject({ method: 'GET', url: `/api/v1/webhook-log?providerAccountId=${accountId}&verdict=refused`, headers: tenant.auth });
      expect(log.json().items.length).toBeGreaterThan(0);
    });

    if (options.stale) {
      it('refuses a stale signature and stores nothing', async () => {
        const before = await countMessages();
        const response = await emulator.deliver(options.stale!(emulator, webhookUrl));
        expect([401, 403]).toContain(response.status);
        expect(await countMessages()).toBe(before);
      });
    }

    it('stores a webhook delivered twice only once', async () => {
      const before = await countMessages();
      const webhook = emulator.buildInbound({ webhookUrl, from: remote, to: ourNumber, body: 'Only once' });
      const first = await emulator.deliver(webhook);
      const second = await emulator.deliver(webhook);
      expect(first.status).toBeLessThan(300);
      expect(second.status).toBeLessThan(300);
      expect(await countMessages()).toBe(before + 1);
    });

    it('answers malformed and truncated bodies with 4xx, never 5xx', async () => {
      const before = await countMessages();
      const genuine = emulator.buildInbound({ webhookUrl, from: remote, to: ourNumber, body: 'Truncated' });
      for (const body of [genuine.body.slice(0, Math.floor(genuine.body.length / 2)), '', '{not json', '\u0000\u0001garbage']) {
        const response = await emulator.deliver({ ...genuine, body });
        expect(response.status, `body ${JSON.stringify(body)} → ${response.body}`).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
      expect(await countMessages()).toBe(before);
    });

    for (const [index, error] of (options.errors ?? []).entries()) {
      // Each case texts its own recipient: an opted-out answer (e.g. Twilio 21610) opts that
      // recipient out, and later cases must not inherit it.
      const recipient = remote.slice(0, -3) + String(700 + index).padStart(3, '0');
      it(`maps a ${error.status} answer to ${error.expect === 'retry' ? 'a retry' : `failed ${error.expect.code}`}`, async () => {
        emulator.failNext(error.status, error.body);
        const id = await send({ from: ourNumber, to: recipient, body: `error ${error.status}` });
        if (error.expect === 'retry') {
          const message = await eventually(async () => {
            const m = await getMessage(id);
            return m.status === accepted && m;
          });
          expect(message.error).toBeNull();
        } else {
          const code = error.expect.code;
          const message = await eventually(async () => {
            const m = await getMessage(id);
            return m.status === 'failed' && m;
          });
          expect(message.error.code).toBe(code);
          expect(message.error.message.length).toBeGreaterThan(5);
        }
      });
    }

    it('maps the provider status vocabulary onto ours, keeping error codes', async () => {
      const account = await harness.ctx.accounts.get(tenant.tenantId, accountId);
      const adapter = harness.ctx.accounts.adapter(account);
      for (const [providerStatus, ours] of Object.entries(options.statuses ?? {})) {
        const webhook = emulator.buildStatus({ webhookUrl, providerMessageId: 'prov-msg-1', status: providerStatus, errorCode: /undeliver|fail|reject|expire/i.test(providerStatus) ? '30003' : undefined });
        const parsed = new URL(webhook.url);
        const request = {
          method: webhook.method,
          url: webhook.url,
          headers: Object.fromEntries(Object.entries(webhook.headers).map(([k, v]) => [k.toLowerCase(), v])),
          rawBody: Buffer.from(webhook.body),
          query: Object.fromEntries(parsed.searchParams.entries()),
        };
        await adapter.verifyWebhook(request);
        const [update] = adapter.parseWebhook(request).statuses;
        expect(update, providerStatus).toMatchObject({ providerMessageId: 'prov-msg-1', status: ours, providerStatus });
        if (request.rawBody.includes('30003')) expect(update!.errorCode).toBe('30003');
      }
    });

    it('runs the Test action against the emulator', async () => {
      const response = await harness.app.inject({ method: 'POST', url: `/api/v1/provider-accounts/${accountId}/test`, headers: tenant.auth, payload: { to: remote } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ ok: true });
      expect(response.json().providerMessageId).toBeTruthy();
    });
  });
}
