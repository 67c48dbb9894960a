/**
 * Flowroute Messaging API v2.2: JSON:API sends to `POST /v2.2/messages` with Basic
 * accessKey:secretKey, numbers in E.164, the per-message `dlr_callback` for MDR receipts; the
 * answer (202) carries the MDR id `mdr2-…`. Inbound messages are JSON:API documents with media
 * side-loaded in `included`; receipts are `delivery_receipt` documents. Flowroute signs nothing,
 * so the webhook URL carries the account's secret token (checked here and in ingest).
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMedia, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { boundedTime, lookup, plusDigits, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { flowrouteManifest } from './flowroute.manifest.js';
import { FLOWROUTE_STATUS, flowrouteErrorKind } from './flowroute.status.js';
import type { FlowrouteAccepted, FlowrouteErrors, FlowrouteSendPayload, FlowrouteWebhook } from './flowroute.types.js';

const PROVIDER = flowrouteManifest.type;
const JSON_API = 'application/vnd.api+json';

/** Typographic quotes have made Flowroute refuse sends; plain ones never do. */
function plainQuotes(text: string): string {
  return text.replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"');
}

function object(value: unknown, name: string): WebhookFields {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new MalformedWebhookError(`${name} must be an object`);
  return value as WebhookFields;
}

export function createFlowrouteProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { accessKey, secretKey } = account.credentials as { accessKey: string; secretKey: string };
  const auth = basicAuth(accessKey, secretKey);
  const base = (account.baseUrl ?? flowrouteManifest.defaultBaseUrl).replace(/\/+$/, '').replace(/\/v2(\.\d)?$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > flowrouteManifest.capabilities.maxMediaCount) throw new UnsupportedCapabilityError(PROVIDER, `more than ${flowrouteManifest.capabilities.maxMediaCount} media URLs`);
    const attributes: FlowrouteSendPayload['data']['attributes'] = { to: message.to[0]!, from: message.from, body: plainQuotes(message.body), dlr_callback: message.statusCallbackUrl };
    if (message.mediaUrls.length > 0) Object.assign(attributes, { media_urls: message.mediaUrls, is_mms: true });
    const payload: FlowrouteSendPayload = { data: { type: 'message', attributes } };
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(base, 'v2.2/messages'),
      headers: { authorization: auth, 'content-type': JSON_API, accept: JSON_API },
      body: JSON.stringify(payload),
    });
    let json: unknown = response.json;
    if (json === null && response.text) {
      try {
        json = JSON.parse(response.text);
      } catch {
        json = null;
      }
    }
    if (response.status >= 200 && response.status < 300) {
      const id = (json as FlowrouteAccepted | null)?.data?.id;
      // Accepted without an MDR id: asking again could send it twice.
      if (typeof id !== 'string' || !id) throw new ProviderError(PROVIDER, 'outcome_unknown', `${PROVIDER} answered ${response.status} without data.id`, { httpStatus: response.status });
      return { providerMessageId: id, status: 'queued', raw: json };
    }
    const error = (json as FlowrouteErrors | null)?.errors?.[0];
    const text = [error?.title, error?.detail].filter((part) => typeof part === 'string' && part).join(': ') || undefined;
    throw httpError(PROVIDER, response, { message: text, kind: response.status === 401 || response.status === 403 ? 'auth_failed' : (flowrouteErrorKind(text) ?? (response.status === 402 ? 'insufficient_funds' : undefined)) });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into Flowroute');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request, { json: 'always' }) as FlowrouteWebhook & WebhookFields;
    // Very old accounts post the flat v1 shape {to, from, body, id}.
    if (fields.data === undefined) return { inbound: [{ providerMessageId: requiredText(fields, 'id'), from: plusDigits(requiredText(fields, 'from')), to: [plusDigits(requiredText(fields, 'to'))], body: textField(fields, 'body') ?? '', media: [], raw: fields }], statuses: [] };
    const data = object(fields.data, 'data');
    const id = requiredText(data, 'id');
    const attributes = object(data.attributes, 'data.attributes');
    const type = requiredText(data, 'type');
    if (type === 'delivery_receipt') return { inbound: [], statuses: [parseReceipt(id, attributes)] };
    if (type !== 'message') throw new MalformedWebhookError(`data.type "${type.slice(0, 40)}" is neither message nor delivery_receipt`);
    // An outbound MDR posted back to the message callback is not an inbound message.
    if (textField(attributes, 'direction') === 'outbound') return { inbound: [], statuses: [] };
    return { inbound: [parseInbound(id, attributes, fields.included)], statuses: [] };
  }

  function parseReceipt(id: string, attributes: WebhookFields): StatusUpdate {
    const providerStatus = requiredText(attributes, 'status');
    const status = lookup(FLOWROUTE_STATUS, providerStatus.toLowerCase());
    const update: StatusUpdate = { providerMessageId: id, status: status ?? 'sent', providerStatus, at: boundedTime(textField(attributes, 'timestamp'), deps.clock()) };
    const code = textField(attributes, 'status_code');
    const description = textField(attributes, 'status_code_description');
    if (!status) update.errorMessage = `unknown ${PROVIDER} status "${providerStatus.slice(0, 40)}" (code ${code ?? 'none'})`;
    if (status === 'undelivered' || status === 'failed') {
      update.errorCode = code ?? providerStatus;
      update.errorMessage = (description || `${PROVIDER} ${providerStatus}`).slice(0, 500);
      update.optedOut = flowrouteErrorKind(description) === 'opted_out';
    }
    return update;
  }

  function parseInbound(id: string, attributes: WebhookFields, included: unknown): InboundMessage {
    if (included !== undefined && !Array.isArray(included)) throw new MalformedWebhookError('included must be a list');
    const media: InboundMedia[] = [];
    for (const item of (included ?? []) as unknown[]) {
      const entry = object(item, 'included[]');
      if (entry.type !== 'media') continue;
      const url = textField(object(entry.attributes, 'included[].attributes'), 'url');
      if (!url || !/^https?:\/\//i.test(url)) throw new MalformedWebhookError('included[].attributes.url must be a URL');
      const contentType = textField(entry.attributes as WebhookFields, 'mime_type');
      if (/\.smil(\?|$)/i.test(url) || contentType === 'application/smil') continue;
      media.push(contentType ? { url, contentType } : { url });
    }
    if (attributes.body !== undefined && attributes.body !== null && typeof attributes.body !== 'string') throw new MalformedWebhookError('data.attributes.body must be a string');
    const body = (attributes.body as string | null | undefined) ?? '';
    return { providerMessageId: id, from: plusDigits(requiredText(attributes, 'from')), to: [plusDigits(requiredText(attributes, 'to'))], body, media, receivedAt: boundedTime(textField(attributes, 'timestamp'), deps.clock()), raw: { data: { id, attributes }, included } };
  }

  async function fetchMedia(url: string) {
    // Only Flowroute's own hosts get the API keys; media on other hosts (storage links) gets none.
    const host = new URL(url).host;
    const isFlowrouteHost = host === 'flowroute.com' || host.endsWith('.flowroute.com') || host === new URL(base).host;
    return downloadMedia(deps.fetch, PROVIDER, url, isFlowrouteHost ? { authorization: auth } : {});
  }

  return { manifest: flowrouteManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }) };
}

export const flowrouteProvider: ProviderModule = { manifest: flowrouteManifest, create: createFlowrouteProvider };
