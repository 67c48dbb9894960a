/**
 * Voxtelesys Messaging API v1: a send is a one-recipient batch, `POST /sms` with a Bearer API key
 * and JSON `{from, to: [..], body, media?, tag}`; the answer's batch `id` is the provider id, and
 * delivery receipts name it as `batch_id`. Inbound (`type: "mo"`) and receipts
 * (`type: "per_recipient"`) are posted to the URLs of the account's Messaging Application,
 * unsigned, so those URLs carry the account's secret token.
 * https://smsapi.voxtelesys.com/ · https://developer.voxtelesys.com/apis/message/webhooks/dlr
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { boundedTime, lookup, plusDigits, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { voxtelesysManifest } from './voxtelesys.manifest.js';
import { VOXTELESYS_STATUS, voxtelesysErrorKind } from './voxtelesys.status.js';
import type { VoxtelesysBatch, VoxtelesysErrorBody, VoxtelesysSendPayload } from './voxtelesys.types.js';

const PROVIDER = voxtelesysManifest.type;
/** The API documents E.164 as digits without "+" (17019299797). */
const apiNumber = (value: string) => value.replace(/^\+(?=\d+$)/, '');

export function createVoxtelesysProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiKey } = account.credentials as { apiKey: string };
  const base = account.baseUrl ?? voxtelesysManifest.defaultBaseUrl;
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    // `to` is a batch of separate one-to-one messages, not a group MMS.
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    const payload: VoxtelesysSendPayload = { from: apiNumber(message.from), to: [apiNumber(message.to[0]!)], body: message.body, tag: message.id };
    if (message.mediaUrls.length > 0) payload.media = message.mediaUrls;
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(base, 'sms'),
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.status >= 200 && response.status < 300) {
      const batch = response.json as VoxtelesysBatch | null;
      if (typeof batch?.id !== 'string' || !batch.id) throw new ProviderError(PROVIDER, 'unavailable', `${PROVIDER} answered ${response.status} without a batch id`, { httpStatus: response.status });
      return { providerMessageId: batch.id, status: 'queued', raw: batch };
    }
    const { code, text } = readError(response.json as VoxtelesysErrorBody | null);
    const kind = voxtelesysErrorKind(text) ?? (response.status === 402 ? 'insufficient_funds' : undefined);
    throw httpError(PROVIDER, response, { providerCode: code, message: text, kind });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into the Voxtelesys Messaging Application');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request);
    const type = requiredText(fields, 'type');
    if (type === 'per_recipient') return { inbound: [], statuses: [parseStatus(fields)] };
    if (type === 'mo') return { inbound: [parseInbound(fields, request.rawBody)], statuses: [] };
    throw new MalformedWebhookError(`type "${type.slice(0, 40)}" is neither "mo" nor "per_recipient"`);
  }

  function parseStatus(fields: WebhookFields): StatusUpdate {
    // We store the batch id (one recipient per batch); message_id is the per-recipient id.
    const providerMessageId = textField(fields, 'batch_id') || requiredText(fields, 'message_id');
    const providerStatus = requiredText(fields, 'status');
    const status = lookup(VOXTELESYS_STATUS, providerStatus.toLowerCase());
    const update: StatusUpdate = { providerMessageId, status: status ?? 'sent', providerStatus, at: boundedTime(textField(fields, 'time'), deps.clock()) };
    if (!status) update.errorMessage = `unknown ${PROVIDER} status "${providerStatus.slice(0, 40)}"`;
    const error = fields.error;
    if (error !== undefined && error !== null) {
      if (typeof error !== 'object' || Array.isArray(error)) throw new MalformedWebhookError('error must be an object {code, description}');
      const code = textField(error as WebhookFields, 'code');
      const description = textField(error as WebhookFields, 'description');
      if (code || description) {
        update.errorCode = code ?? providerStatus;
        update.errorMessage = (description || `${PROVIDER} error ${code}`).slice(0, 500);
        update.optedOut = voxtelesysErrorKind(description) === 'opted_out';
      }
    }
    return update;
  }

  function parseInbound(fields: WebhookFields, rawBody: Buffer): InboundMessage {
    const from = requiredText(fields, 'from');
    const to = fields.to;
    const recipients = (Array.isArray(to) ? to : [to]).map((value) => {
      if (typeof value !== 'string' || !value.trim()) throw new MalformedWebhookError('to must be a number or a list of numbers');
      return plusDigits(value);
    });
    const body = textField(fields, 'body') ?? '';
    if (fields.media !== undefined && fields.media !== null && !Array.isArray(fields.media)) throw new MalformedWebhookError('media must be a list of URLs');
    const media = ((fields.media as unknown[] | undefined) ?? []).map((url) => {
      if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new MalformedWebhookError('media[] must be URLs');
      return { url };
    });
    // The documented MO payload has no id; integrations see `id`. Without one, the body's hash
    // (which includes received_at to the millisecond) makes a redelivery a duplicate.
    const id = textField(fields, 'id') || textField(fields, 'message_id') || `sha256:${createHash('sha256').update(rawBody).digest('hex').slice(0, 40)}`;
    return { providerMessageId: id, from: plusDigits(from), to: recipients, body, media, receivedAt: boundedTime(textField(fields, 'received_at'), deps.clock()), raw: fields };
  }

  async function fetchMedia(url: string) {
    // The API key goes only to Voxtelesys's own hosts.
    const host = new URL(url).hostname;
    const isOwnHost = /(^|\.)voxtelesys\.(net|com)$/.test(host) || new URL(url).host === new URL(base).host;
    return downloadMedia(deps.fetch, PROVIDER, url, isOwnHost ? { authorization: `Bearer ${apiKey}` } : {});
  }

  return { manifest: voxtelesysManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'application/json', body: '{"success":true}' }) };
}

function readError(body: VoxtelesysErrorBody | null): { code?: string; text?: string } {
  if (!body || typeof body !== 'object') return {};
  const error = body.error;
  if (typeof error === 'string') return { code: body.code !== undefined ? String(body.code) : undefined, text: error };
  const code = error?.code ?? body.code;
  return { code: code !== undefined ? String(code) : undefined, text: error?.description ?? error?.message ?? body.message };
}

export const voxtelesysProvider: ProviderModule = { manifest: voxtelesysManifest, create: createVoxtelesysProvider };
