import type { ProviderManifest } from '../core/types.js';

export const commioManifest: ProviderManifest = {
  type: 'commio',
  displayName: 'Commio (thinQ)',
  docsUrl: 'https://apidocs.thinq.com/',
  envPrefix: 'COMMIO',
  defaultBaseUrl: 'https://api.thinq.com',
  credentials: [
    { key: 'accountId', label: 'Account ID', required: true, secret: false },
    { key: 'username', label: 'API username', required: true, secret: false },
    { key: 'apiToken', label: 'API token (portal: API → Tokens)', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    groupMms: false,
    // from_did/to_did are 10-digit US/Canadian numbers (commio.provider.ts nanpDigits).
    destinations: 'nanp',
    // Only SMS-enabled Commio DIDs on the account.
    senderId: false,
    // Delivery notifications (SMPP-style `status`) to the URL set in the portal.
    statusCallbacks: true,
    // Commio's maximum is unpublished; integrations split at 1,600 (unconfirmed).
    maxBodyLength: 1600,
    // mms/send takes one `media_url`; size limit unpublished (unconfirmed).
    maxMediaCount: 1,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // No signature scheme is documented by Commio (X-Commio-Signature is FS PBX's, unconfirmed):
    // the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
