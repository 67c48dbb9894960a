/**
 * SMPP 3.4 (any SMSC): sends and receipts travel over a bound session, not HTTP. The adapter hands
 * each send to this node's session host (smpp.host.ts); MO messages and receipts arrive as
 * deliver_sm on the bind and go through the same inbound pipeline as webhooks.
 */
import { CredentialsError } from '../core/credentials.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import type { AdapterDeps, ProviderAccountConfig, ProviderAdapter, ProviderModule } from '../core/types.js';
import { smppConfig, SmppConfigError } from './smpp.config.js';
import { SmppHost } from './smpp.host.js';
import { smppManifest } from './smpp.manifest.js';

export function createSmppProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  return {
    manifest: smppManifest,
    async send(message) {
      const host = deps.sessions?.('smpp');
      if (!host) throw new ProviderError('smpp', 'unavailable', 'SMPP sessions are not running on this node (workers off)', { retryAfterMs: 1_000 });
      return host.send(account.id, message);
    },
    async verifyWebhook() {
      throw new WebhookAuthError('bad_signature', 'SMPP accounts receive messages and receipts over their SMPP bind, not webhooks');
    },
    parseWebhook() {
      throw new MalformedWebhookError('SMPP accounts have no webhook');
    },
    async fetchMedia() {
      throw new UnsupportedCapabilityError('smpp', 'media');
    },
    webhookReply() {
      return { contentType: 'text/plain', body: '' };
    },
  };
}

export const smppProvider: ProviderModule = {
  manifest: smppManifest,
  create: createSmppProvider,
  sessions: (ctx) => new SmppHost(ctx),
  validate(credentials) {
    try {
      smppConfig(credentials);
    } catch (error) {
      if (error instanceof SmppConfigError) throw new CredentialsError(error.message);
      throw error;
    }
  },
};
