import type { ProviderManifest } from '../core/types.js';

/** BulkVS REST v1.0. Every wire fact is unconfirmed (the Swagger reference could not be read); see README.md. */
export const bulkvsManifest: ProviderManifest = {
  type: 'bulkvs',
  displayName: 'BulkVS',
  docsUrl: 'https://portal.bulkvs.com/api/v1.0/documentation',
  envPrefix: 'BULKVS',
  defaultBaseUrl: 'https://portal.bulkvs.com/api/v1.0',
  // The FS PBX variable names: BULKVS_API_USERNAME, BULKVS_API_TOKEN, BULKVS_BASIC_AUTH_HEADER.
  credentials: [
    { key: 'apiUsername', label: 'API username', required: false, secret: false, description: 'Portal: API → API Credentials → REST API. Needed unless the Basic auth header is given.' },
    { key: 'apiToken', label: 'API token', required: false, secret: true, description: 'Needed unless the Basic auth header is given.' },
    { key: 'basicAuthHeader', label: 'Basic auth header', required: false, secret: true, description: 'The ready-made header the portal shows, with or without "Basic "; replaces username and token.' },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // `To` is a list, but how BulkVS treats several entries (group MMS or a batch) is unknown: one recipient per message.
    groupMms: false,
    // `To` is 11 digits, 1 + 10 (core/nanp.ts toNanpDigits).
    destinations: 'nanp',
    senderId: false,
    // Receipts arrive on the message webhook as SMPP receipt text (unconfirmed; see bulkvs.status.ts).
    statusCallbacks: true,
    // 160 characters in BulkVS's examples; how it handles longer text is unknown, so longer text is refused up front.
    maxBodyLength: 160,
    // Publicly reachable JPEG/PNG URLs; neither count nor size limit is published (US carrier MMS ceiling assumed).
    maxMediaCount: 10,
    maxMediaBytes: 1024 * 1024,
    // 10DLC long codes: 1 MPS unless the number says otherwise.
    defaultMps: 1,
    // No signature exists: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
