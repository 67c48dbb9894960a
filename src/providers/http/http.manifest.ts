import type { ProviderManifest } from '../core/types.js';

export const httpManifest: ProviderManifest = {
  type: 'http',
  displayName: 'Generic HTTP',
  logoText: 'HTTP',
  // Configured from the carrier's own API page; the configuration is described in src/providers/http/README.md.
  docsUrl: '',
  // HTTP_PROVIDER_*, not HTTP_*: plain HTTP_USERNAME-style variables belong to other tools.
  envPrefix: 'HTTP_PROVIDER',
  // No default: the request URL in `config` is absolute, or a path under the account's base URL.
  defaultBaseUrl: '',
  credentials: [
    { key: 'config', label: 'Request and mapping configuration (JSON)', required: true, secret: false, description: 'request template, answer rules, inbound and receipt mapping, webhook authenticity; see src/providers/http/README.md' },
    { key: 'username', label: 'Username (Basic auth)', required: false, secret: false },
    { key: 'password', label: 'Password (Basic auth)', required: false, secret: true },
    { key: 'token', label: 'Token or API key (Bearer, header or query auth)', required: false, secret: true },
    { key: 'webhookSecret', label: 'Webhook secret (header or HMAC check)', required: false, secret: true },
  ],
  capabilities: {
    sms: true,
    // Media URLs go wherever the template puts {{ media_urls }}; a carrier without MMS ignores them.
    mms: true,
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 10,
    maxMediaBytes: 5 * 1024 * 1024,
    defaultMps: 0,
    // The URL token is always checked; header or HMAC checks come on top (http.signature.ts).
    signedWebhooks: false,
  },
};
