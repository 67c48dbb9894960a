/**
 * The generic HTTP provider (SPEC F35): a carrier with a plain HTTP API, configured per account
 * from its documentation (http.config.ts). Presets (presets/) build the same adapter from a
 * carrier's own few fields.
 */
import { ProviderError } from '../core/errors.js';
import { callProvider, downloadMedia } from '../core/http.js';
import type { AdapterDeps, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderManifest, ProviderModule, SendResult, WebhookRequest } from '../core/types.js';
import { parseHttpConfig, validateHttpCredentials, type HttpConfig, type HttpCredentials } from './http.config.js';
import { httpManifest } from './http.manifest.js';
import { mapWebhook } from './http.mapping.js';
import { buildRequest, interpretResponse, RequestBuildError } from './http.request.js';
import { verifyHttpWebhook } from './http.signature.js';

/** Builds the adapter for a resolved configuration; `manifest` is the generic one or a preset's. */
export function createHttpAdapter(manifest: ProviderManifest, config: HttpConfig, credentials: Partial<HttpCredentials>, account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const provider = manifest.type;
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new ProviderError(provider, 'unsupported', `${provider} sends to one recipient per message`);
    let request;
    try {
      request = await buildRequest(config, credentials, account.baseUrl, message);
    } catch (error) {
      if (error instanceof RequestBuildError) throw new ProviderError(provider, 'rejected', `${provider} request template failed: ${error.message}`, { providerCode: 'template_error', cause: error });
      throw error;
    }
    const response = await callProvider(deps.fetch, provider, request);
    return interpretResponse(provider, config, response, message);
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    verifyHttpWebhook(config, { expectedToken, webhookSecret: credentials.webhookSecret }, request);
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    return mapWebhook(config, request);
  }

  async function fetchMedia(url: string) {
    return downloadMedia(deps.fetch, provider, url);
  }

  return { manifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }) };
}

export function createHttpProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const credentials = account.credentials as unknown as HttpCredentials;
  return createHttpAdapter(httpManifest, parseHttpConfig(credentials.config), credentials, account, deps);
}

export const httpProvider: ProviderModule = {
  manifest: httpManifest,
  create: createHttpProvider,
  validate: (credentials) => validateHttpCredentials(credentials),
};
