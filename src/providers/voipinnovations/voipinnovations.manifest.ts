import type { ProviderManifest } from '../core/types.js';

export const voipinnovationsManifest: ProviderManifest = {
  type: 'voipinnovations',
  displayName: 'VoIP Innovations',
  // No public messaging reference from VoIP Innovations; its Programmable API is Apidaze's.
  docsUrl: 'https://apidocs.apidaze.io/',
  envPrefix: 'VOIPINNOVATIONS',
  defaultBaseUrl: 'https://cpaas-api.voipinnovations.com',
  credentials: [
    { key: 'apiKey', label: 'API key (API login username)', required: true, secret: false },
    { key: 'apiSecret', label: 'API secret (API login password)', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    // MMS as FS PBX sends it (message_type=MMS, file_urls[]); not confirmed by VoIP Innovations.
    mms: true,
    senderId: false,
    // No delivery receipts are documented: an accepted send ends at `sent`.
    statusCallbacks: false,
    // Unpublished; one GSM-7 concatenation limit assumed.
    maxBodyLength: 1530,
    maxMediaCount: 10,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // Nothing is signed: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
