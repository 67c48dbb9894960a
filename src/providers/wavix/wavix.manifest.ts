import type { ProviderManifest } from '../core/types.js';

export const wavixManifest: ProviderManifest = {
  type: 'wavix',
  displayName: 'Wavix',
  docsUrl: 'https://docs.wavix.com/api-reference/messaging/send-a-message',
  envPrefix: 'WAVIX',
  defaultBaseUrl: 'https://api.wavix.com',
  credentials: [{ key: 'apiKey', label: 'API key (needs messages:write)', required: true, secret: true }],
  capabilities: {
    sms: true,
    mms: true,
    // Alphanumeric sender IDs registered on the account (send-only; not to US/Canada).
    senderId: true,
    statusCallbacks: true,
    // Not published by Wavix; 10 concatenated segments of GSM-7 (unconfirmed).
    maxBodyLength: 1530,
    // "message_body.media: up to 5 media URLs" (OpenAPI SendMessage). Size limit unpublished; the common US carrier MMS ceiling.
    maxMediaCount: 5,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // Wavix signs nothing (OpenAPI webhooks have no security): the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
