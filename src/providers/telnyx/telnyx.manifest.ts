import type { ProviderManifest } from '../core/types.js';

export const telnyxManifest: ProviderManifest = {
  type: 'telnyx',
  displayName: 'Telnyx',
  docsUrl: 'https://developers.telnyx.com/api/messaging/send-message',
  envPrefix: 'TELNYX',
  defaultBaseUrl: 'https://api.telnyx.com/v2',
  credentials: [
    { key: 'apiKey', label: 'API Key (v2, KEY…)', required: true, secret: true },
    { key: 'publicKey', label: 'Public Key (base64, verifies webhook signatures)', required: true, secret: false },
    {
      key: 'messagingProfileId',
      label: 'Messaging Profile ID',
      required: false,
      secret: false,
      description: 'Required to send from an alphanumeric sender ID',
    },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // Group MMS through /messages/group_mms (`to` array).
    groupMms: true,
    senderId: true,
    statusCallbacks: true,
    // At most 10 parts (1,530 GSM-7 characters); more is refused with 40302 unless the profile
    // chunks long messages. https://developers.telnyx.com/docs/messaging/messages/sms-chunking
    maxBodyLength: 1530,
    maxMediaCount: 10,
    // "The total media size must be less than 1 MB" (MessageSendParams.media_urls).
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    signedWebhooks: true,
  },
};
