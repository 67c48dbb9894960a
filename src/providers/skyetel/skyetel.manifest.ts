import type { ProviderManifest } from '../core/types.js';

/** Skyetel SMS & MMS API v1 (https://support.skyetel.com/hc/en-us/articles/360056299914-SMS-MMS-API). */
export const skyetelManifest: ProviderManifest = {
  type: 'skyetel',
  displayName: 'Skyetel',
  docsUrl: 'https://support.skyetel.com/hc/en-us/articles/360056299914-SMS-MMS-API',
  envPrefix: 'SKYETEL',
  defaultBaseUrl: 'https://sms.skyetel.com',
  credentials: [
    { key: 'sid', label: 'API SID', required: true, secret: false, description: 'Skyetel portal: gear icon → API Keys' },
    { key: 'secret', label: 'API secret', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // `to` is one number: one request per recipient, no group MMS.
    groupMms: false,
    // `to` is 11 digits, 1 + 10 (core/nanp.ts toNanpDigits).
    destinations: 'nanp',
    senderId: false,
    // Skyetel's SMS API has no delivery receipts: an accepted message ends at `sent`.
    statusCallbacks: false,
    // `text` up to 1024 characters (docs).
    maxBodyLength: 1024,
    // Not limited in count by the docs; 1.5 MB of media in total.
    maxMediaCount: 10,
    maxMediaBytes: 1_500_000,
    // 300 sends per 5 minutes per account (unconfirmed): 1 per second.
    defaultMps: 1,
    // No signature exists: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
