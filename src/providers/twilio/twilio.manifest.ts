import type { ProviderManifest } from '../core/types.js';

export const twilioManifest: ProviderManifest = {
  type: 'twilio',
  displayName: 'Twilio',
  docsUrl: 'https://www.twilio.com/docs/messaging/api/message-resource',
  envPrefix: 'TWILIO',
  defaultBaseUrl: 'https://api.twilio.com',
  credentials: [
    { key: 'accountSid', label: 'Account SID', required: true, secret: false },
    { key: 'authToken', label: 'Auth Token', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // One "To" per message: Twilio's Messages API has no group MMS.
    groupMms: false,
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 10,
    maxMediaBytes: 5 * 1024 * 1024,
    defaultMps: 1,
    signedWebhooks: true,
  },
};
