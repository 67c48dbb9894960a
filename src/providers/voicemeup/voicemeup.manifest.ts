import type { ProviderManifest } from '../core/types.js';

export const voicemeupManifest: ProviderManifest = {
  type: 'voicemeup',
  displayName: 'VoiceMeUp',
  // No public API reference; the set-up steps are in PortSIP's VoiceMeUp guide.
  docsUrl: 'https://clients.voicemeup.com/',
  envPrefix: 'VOICEMEUP',
  defaultBaseUrl: 'https://clients.voicemeup.com',
  credentials: [
    { key: 'username', label: 'API username (Account → Users & Access, user type Standard)', required: true, secret: false },
    { key: 'authToken', label: 'Auth token (user → Access → Regenerate Token)', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    senderId: false,
    // No delivery receipts are known: an accepted queue_sms ends at `sent`.
    statusCallbacks: false,
    // The only integration found splits text at 1,000 characters per request (unconfirmed as VoiceMeUp's limit).
    maxBodyLength: 1000,
    // One `attachment` URL per request.
    maxMediaCount: 1,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // Nothing is signed: the callback URL carries a secret token.
    signedWebhooks: false,
  },
};
