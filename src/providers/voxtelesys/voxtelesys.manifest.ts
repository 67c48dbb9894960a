import type { ProviderManifest } from '../core/types.js';

export const voxtelesysManifest: ProviderManifest = {
  type: 'voxtelesys',
  displayName: 'Voxtelesys',
  docsUrl: 'https://smsapi.voxtelesys.com/',
  envPrefix: 'VOXTELESYS',
  defaultBaseUrl: 'https://smsapi.voxtelesys.net/api/v1',
  credentials: [{ key: 'apiKey', label: 'API key (Bearer, bound to a trunk group)', required: true, secret: true }],
  capabilities: {
    sms: true,
    mms: true,
    // Only when Voxtelesys enables a sender ID on the account; numbers otherwise.
    senderId: false,
    statusCallbacks: true,
    // Not published; 10 concatenated GSM-7 segments (unconfirmed).
    maxBodyLength: 1530,
    // `media` is a list of public URLs; count and size limits are not published (US carrier MMS ceiling assumed).
    maxMediaCount: 10,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // No signature documented: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
