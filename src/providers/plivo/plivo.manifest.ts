import type { ProviderManifest } from '../core/types.js';

export const plivoManifest: ProviderManifest = {
  type: 'plivo',
  displayName: 'Plivo',
  docsUrl: 'https://www.plivo.com/docs/messaging/api/message/send-a-message',
  envPrefix: 'PLIVO',
  defaultBaseUrl: 'https://api.plivo.com',
  credentials: [
    { key: 'authId', label: 'Auth ID', required: true, secret: false },
    { key: 'authToken', label: 'Auth Token', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // Several `dst` are separate messages, not a group MMS.
    groupMms: false,
    // Alphanumeric `src` (≤ 11 chars) where Plivo has enabled it for the account; not US/CA.
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 10,
    // Plivo caps inbound body + media at 5 MB; the outbound total is not documented beyond 2 MB per uploaded file.
    maxMediaBytes: 5 * 1024 * 1024,
    // Unregistered US long codes are limited to 1 message per second.
    defaultMps: 1,
    signedWebhooks: true,
  },
};
