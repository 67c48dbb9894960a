import type { ProviderManifest } from '../core/types.js';

export const flowrouteManifest: ProviderManifest = {
  type: 'flowroute',
  displayName: 'Flowroute',
  docsUrl: 'https://developer.flowroute.com/api/messages/v2.2/',
  envPrefix: 'FLOWROUTE',
  defaultBaseUrl: 'https://api.flowroute.com',
  credentials: [
    { key: 'accessKey', label: 'Access key (Preferences → API Control)', required: true, secret: false },
    { key: 'secretKey', label: 'Secret key', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // One recipient per request; no group MMS in the v2.2 API.
    groupMms: false,
    // Only Flowroute long codes and toll-free numbers on the account.
    senderId: false,
    // MDRs: delivery receipts to the per-message `dlr_callback`.
    statusCallbacks: true,
    // Long SMS are split by Flowroute; its maximum is unpublished (unconfirmed).
    maxBodyLength: 1600,
    // "Several media" per MMS; a count is unpublished (unconfirmed). 750 kB total is documented.
    maxMediaCount: 10,
    maxMediaBytes: 750 * 1024,
    // SMS: 5 per second per account (MMS: 1 per second).
    defaultMps: 5,
    // Flowroute signs nothing: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
