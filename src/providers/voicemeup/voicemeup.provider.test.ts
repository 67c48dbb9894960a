import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../../../test/helper.js';
import { MalformedWebhookError } from '../core/errors.js';
import { splitPartOf } from '../core/split-parts.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { TINY_PNG, type Deliver, type SignedWebhook } from '../testing/emulator.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { JOIN_WAIT_MS, mergeParts } from '../../services/inbound-parts.js';
import { voicemeupPartsSchema } from '../../db/migrations/0010_voicemeup_parts.js';
import { startVoicemeupEmulator, type VoicemeupEmulator } from './voicemeup.emulator.js';
import { createVoicemeupProvider } from './voicemeup.provider.js';

const credentials = { username: 'switchboard-api', authToken: 'vmu-token-0123456789abcdef' };
const digits = (n: string) => n.replace(/^\+/, '');
const queued = (hash: string) => ({ response_details: { response_status: 'success', response_messages: { message: { code: 'queued_sms_hash', _content: hash } } } });
const refused = (code: string, text: string) => ({ response_details: { response_status: 'error', response_messages: { message: [{ code, _content: text }] } } });

describeProviderContract({
  type: 'voicemeup',
  credentials,
  authScheme: 'url-token',
  receipts: false,
  startEmulator: (deliver) => startVoicemeupEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v1.1/json/queue_sms');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(request.text));
    expect(form).toEqual({
      username: credentials.username,
      auth_token: credentials.authToken,
      source_number: digits(sent.from),
      destination_number: digits(sent.to),
      message: sent.body,
      ...(sent.mediaUrls[0] ? { attachment: sent.mediaUrls[0] } : {}),
    });
  },
  errors: [
    { status: 200, body: refused('invalid_destination_number', 'Invalid destination number'), expect: { code: 'invalid_destination_number' } },
    { status: 200, body: refused('insufficient_balance', 'Insufficient balance'), expect: { code: 'insufficient_balance' } },
    { status: 200, body: refused('authentication_failed', 'Invalid username or auth token'), expect: { code: 'authentication_failed' } },
    { status: 429, body: 'Too Many Requests', expect: 'retry' },
    { status: 503, body: 'Service Unavailable', expect: 'retry' },
  ],
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2026-01-27T10:40:00Z') };
const account = { id: 'pa_1', tenantId: 't_1', type: 'voicemeup', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/voicemeup/sms?token=${TOKEN}` };
const adapter = createVoicemeupProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('voicemeup recorded webhooks', () => {
  it('parses a form inbound SMS (not a split part)', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-sms')).inbound;
    expect(message).toMatchObject({ providerMessageId: 'hash-abc', from: '+15145551111', to: ['+15145552222'], body: 'Hello from user', media: [], receivedAt: '2026-01-27T10:30:00.000Z' });
    expect(splitPartOf(message!)).toBeUndefined();
  });

  it('parses a JSON inbound SMS', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-json')).inbound[0]).toMatchObject({ providerMessageId: 'hash-json-1', body: 'Bonjour' });
  });

  it('marks the wrapper part as the text part of a split MMS, without the wrapper as media', () => {
    const [part] = adapter.parseWebhook(fixture('inbound-mms-part1-wrapper')).inbound;
    expect(part).toMatchObject({ providerMessageId: 'hash-mms-1', body: 'Look at this', media: [] });
    expect(splitPartOf(part!)).toEqual({ key: '15145551111|15145552222|2026-01-27T10:32:00Z', role: 'text', standalone: false });
  });

  it('marks the media part with the same key', () => {
    const [part] = adapter.parseWebhook(fixture('inbound-mms-part2-media')).inbound;
    expect(part).toMatchObject({ providerMessageId: 'hash-mms-2', body: '', media: [{ url: 'https://clients.voicemeup.com/file/abc.mms.jpg', contentType: 'image/jpeg' }] });
    expect(splitPartOf(part!)).toEqual({ key: '15145551111|15145552222|2026-01-27T10:32:00Z', role: 'media', standalone: false });
  });

  it('reads the older attachment_url / attachment_type names; media with text stands alone', () => {
    const [part] = adapter.parseWebhook(fixture('inbound-mms-legacy-fields')).inbound;
    expect(part!.media).toEqual([{ url: 'https://clients.voicemeup.com/file/def.mms.png', contentType: 'image/png' }]);
    expect(splitPartOf(part!)).toMatchObject({ role: 'media', standalone: true });
  });

  it('acknowledges and ignores a callback that is not inbound', () => {
    const request = fixture('inbound-sms');
    expect(adapter.parseWebhook({ ...request, rawBody: Buffer.from(request.rawBody.toString().replace('direction=inbound', 'direction=outbound')) })).toEqual({ inbound: [], statuses: [] });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed, truncated and wrongly typed bodies', () => {
    const form = fixture('inbound-sms').rawBody.toString();
    const cases: Array<[string, string]> = [
      ['', 'application/x-www-form-urlencoded'],
      [form.slice(0, Math.floor(form.length / 3)), 'application/x-www-form-urlencoded'],
      ['message=hi&source_number=%2B15145551111', 'application/x-www-form-urlencoded'],
      ['message=hi&source_number=%2B1&destination_number=%2B2&attachment=javascript%3Aalert(1)', 'application/x-www-form-urlencoded'],
      ['{"message": "hi", "source_number": ', 'application/json'],
      ['{"message": "hi", "source_number": ["+1"], "destination_number": "+2"}', 'application/json'],
      ['{"message": "hi\u0000", "source_number": "+1", "destination_number": "+2"}', 'application/json'],
    ];
    for (const [body, contentType] of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), headers: { 'content-type': contentType }, rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('split part merge', () => {
  const part = (part_id: string, role: 'text' | 'media', body: string, media: Array<{ url: string }>, receivedAt?: string) => ({
    part_id,
    role,
    payload: JSON.stringify({ providerMessageId: part_id, from: '+15145551111', to: ['+15145552222'], body, media, receivedAt }),
  });

  it('puts the text part first, adds a differing media text, keeps every media item and the earliest time', () => {
    const merged = mergeParts([
      part('m1', 'media', 'caption', [{ url: 'https://x/1.jpg' }], '2026-01-27T10:32:01.000Z'),
      part('t1', 'text', 'Look at this', [], '2026-01-27T10:32:00.000Z'),
      part('m2', 'media', 'Look at this', [{ url: 'https://x/2.jpg' }]),
    ]);
    expect(merged).toEqual({ providerMessageId: 't1', from: '+15145551111', to: ['+15145552222'], body: 'Look at this\ncaption', media: [{ url: 'https://x/1.jpg' }, { url: 'https://x/2.jpg' }], receivedAt: '2026-01-27T10:32:00.000Z' });
  });

  it('keeps a lone media part as it is', () => {
    expect(mergeParts([part('m1', 'media', '', [{ url: 'https://x/1.jpg' }])])).toMatchObject({ providerMessageId: 'm1', body: '', media: [{ url: 'https://x/1.jpg' }] });
  });
});

describe('voicemeup send', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+15145552222', to: ['+15145551111'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      requests.push(String(init.body));
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createVoicemeupProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('reads queued_sms_hash whether message is one object or a list, and ends at sent', async () => {
    await expect(answering(200, queued('h1')).adapter.send(message)).resolves.toMatchObject({ providerMessageId: 'h1', status: 'sent' });
    const list = { response_details: { response_status: 'success', response_messages: { message: [{ code: 'other', _content: 'x' }, { code: 'queued_sms_hash', _content: 'h2' }] } } };
    await expect(answering(200, list).adapter.send(message)).resolves.toMatchObject({ providerMessageId: 'h2' });
  });

  it('sorts refusals into permanent kinds; opt-outs mark the recipient; Retry-After bounded', async () => {
    await expect(answering(200, refused('destination_opted_out', 'The destination opted out')).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', code: 'destination_opted_out', retryable: false });
    await expect(answering(200, refused('invalid_destination_number', 'x')).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number' });
    await expect(answering(200, refused('insufficient_balance', 'x')).adapter.send(message)).rejects.toMatchObject({ kind: 'insufficient_funds' });
    await expect(answering(200, refused('authentication_failed', 'x')).adapter.send(message)).rejects.toMatchObject({ kind: 'auth_failed' });
    await expect(answering(200, refused('something_else', 'x')).adapter.send(message)).rejects.toMatchObject({ kind: 'rejected', retryable: false });
    await expect(answering(429, 'slow down', { 'retry-after': '7' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 7000 } });
    await expect(answering(200, { response_details: { response_status: 'success' } }).adapter.send(message)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('refuses a group send and a second attachment before calling VoiceMeUp', async () => {
    const { adapter: a, requests } = answering(200, queued('h'));
    await expect(a.send({ ...message, to: ['+15145551111', '+15145551112'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, mediaUrls: ['https://x.test/a.jpg', 'https://x.test/b.jpg'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});

describe('voicemeup split MMS joined into one message', () => {
  const ours = '+15145552222';
  let harness: TestApp;
  let emulator: VoicemeupEmulator;
  let tenant: Tenant;
  let webhookUrl: string;
  let remoteSeq = 100;

  const inject: Deliver = async (url, init) => {
    const parsed = new URL(url);
    const response = await harness.app.inject({ method: init.method as 'POST', url: parsed.pathname + parsed.search, headers: init.headers, payload: init.body });
    return { status: response.statusCode, body: response.body };
  };
  const post = async (webhook: SignedWebhook) => {
    const response = await emulator.deliver(webhook);
    expect(response.status, response.body).toBe(200);
  };
  const inboundFrom = async (from: string) => {
    const list = await harness.app.inject({ method: 'GET', url: `/api/v1/messages?direction=inbound`, headers: tenant.auth });
    return (list.json().items as Array<{ from: string; body: string; media: Array<{ contentType: string; size: number }> }>).filter((m) => m.from === from);
  };
  const nextRemote = () => `+1514555${String((remoteSeq += 1)).padStart(4, '0')}`;

  beforeAll(async () => {
    harness = await createTestApp();
    emulator = await startVoicemeupEmulator({ ...credentials, deliver: inject });
    tenant = await createTestTenant(harness.ctx);
    ({ webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'voicemeup', credentials, baseUrl: emulator.baseUrl, number: ours, mps: 0 }));
  });
  afterAll(async () => {
    await emulator?.close();
    await harness?.close();
  });

  it('stores the text part and the media part as one message with its media', async () => {
    const from = nextRemote();
    const [text, media] = emulator.buildSplitMms({ webhookUrl, from, to: ours, body: 'Look at this', media: [{ contentType: 'image/png', data: TINY_PNG }] });
    await post(text);
    await post(media);
    const [message] = await eventually(async () => {
      const found = await inboundFrom(from);
      return found.length === 1 && found[0]!.media[0]?.size === TINY_PNG.length && found;
    });
    expect(message).toMatchObject({ body: 'Look at this', media: [{ contentType: 'image/png', size: TINY_PNG.length }] });
    // Retried parts after the join are duplicates, not new messages.
    await post(text);
    await post(media);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await inboundFrom(from)).toHaveLength(1);
  });

  it('joins parts that arrive media first', async () => {
    const from = nextRemote();
    const [text, media] = emulator.buildSplitMms({ webhookUrl, from, to: ours, body: 'Reversed', media: [{ contentType: 'image/png', data: TINY_PNG }] });
    await post(media);
    await post(text);
    const [message] = await eventually(async () => {
      const found = await inboundFrom(from);
      return found.length === 1 && found[0]!.media[0]?.size === TINY_PNG.length && found;
    });
    expect(message!.body).toBe('Reversed');
  });

  it('keeps an acknowledged part in the database with its join job before answering', async () => {
    const from = nextRemote();
    const [text] = emulator.buildSplitMms({ webhookUrl, from, to: ours, body: 'Held part', media: [{ contentType: 'image/png', data: TINY_PNG }] });
    await post(text);
    const parts = await harness.ctx.db.selectFrom('inbound_parts').selectAll().where('group_key', 'like', `${digits(from)}|%`).execute();
    expect(parts).toEqual([expect.objectContaining({ role: 'text', joined_as: null })]);
    const jobs = await harness.ctx.db.selectFrom('jobs').select(['name', 'run_at']).where('name', '=', 'inbound.join-parts').where('payload', 'like', `%${digits(from)}|%`).execute();
    expect(jobs).toHaveLength(1);
    expect(Date.parse(jobs[0]!.run_at)).toBeGreaterThan(Date.now() + JOIN_WAIT_MS - 2000);
  });

  it('stores the text alone after the bounded wait, and a late media part as its own message', async () => {
    const from = nextRemote();
    const [text, media] = emulator.buildSplitMms({ webhookUrl, from, to: ours, body: 'Media never came', media: [{ contentType: 'image/png', data: TINY_PNG }] });
    const started = Date.now();
    await post(text);
    const [alone] = await eventually(async () => {
      const found = await inboundFrom(from);
      return found.length === 1 && found;
    }, JOIN_WAIT_MS + 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(JOIN_WAIT_MS - 500);
    expect(alone).toMatchObject({ body: 'Media never came', media: [] });
    await post(media);
    const both = await eventually(async () => {
      const found = await inboundFrom(from);
      return found.length === 2 && found.some((m) => m.media[0]?.size === TINY_PNG.length) && found;
    }, JOIN_WAIT_MS + 5000);
    expect(both.map((m) => m.body).sort()).toEqual(['', 'Media never came']);
  }, 20_000);

  it('GET /provider-types lists the four issue-13 types of this batch with their variables and limits', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/provider-types', headers: tenant.auth });
    const byType = new Map((response.json().items as Array<{ type: string; credentials: Array<{ env: string }>; baseUrlEnv: string; capabilities: Record<string, unknown> }>).map((item) => [item.type, item]));
    const expected: Record<string, string[]> = {
      wavix: ['WAVIX_API_KEY'],
      voxtelesys: ['VOXTELESYS_API_KEY'],
      voipinnovations: ['VOIPINNOVATIONS_API_KEY', 'VOIPINNOVATIONS_API_SECRET'],
      voicemeup: ['VOICEMEUP_USERNAME', 'VOICEMEUP_AUTH_TOKEN'],
    };
    for (const [type, env] of Object.entries(expected)) {
      const item = byType.get(type);
      expect(item?.credentials.map((field) => field.env), type).toEqual(env);
      expect(item?.baseUrlEnv).toBe(`${type.toUpperCase()}_BASE_URL`);
      expect(item?.capabilities).toMatchObject({ signedWebhooks: false, statusCallbacks: type === 'wavix' || type === 'voxtelesys' });
    }
    expect(byType.get('voicemeup')?.capabilities).toMatchObject({ maxMediaCount: 1, maxBodyLength: 1000 });
  });

  it('migration 0010 goes down and up again on this database', async () => {
    const migration = voicemeupPartsSchema(harness.ctx.store.dialect);
    await migration.down(harness.ctx.db as never);
    await expect(harness.ctx.db.selectFrom('inbound_parts').selectAll().execute()).rejects.toThrow();
    await migration.up(harness.ctx.db as never);
    expect(await harness.ctx.db.selectFrom('inbound_parts').selectAll().execute()).toEqual([]);
  });
});
