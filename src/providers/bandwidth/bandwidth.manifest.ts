import type { ProviderManifest } from '../core/types.js';

export const bandwidthManifest: ProviderManifest = {
  type: 'bandwidth',
  displayName: 'Bandwidth',
  docsUrl: 'https://dev.bandwidth.com/apis/messaging-apis/messaging/',
  envPrefix: 'BANDWIDTH',
  defaultBaseUrl: 'https://messaging.bandwidth.com/api/v2',
  credentials: [
    { key: 'accountId', label: 'Account ID', required: true, secret: false },
    { key: 'apiToken', label: 'API username (token)', required: true, secret: false },
    { key: 'apiSecret', label: 'API password (secret)', required: true, secret: true },
    { key: 'applicationId', label: 'Messaging Application ID', required: true, secret: false },
    {
      key: 'callbackUsername',
      label: 'Callback username',
      required: true,
      secret: false,
      description: "The application's InboundCallbackCreds/OutboundCallbackCreds user id; Bandwidth sends it as Basic auth on every webhook",
    },
    { key: 'callbackPassword', label: 'Callback password', required: true, secret: true },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // `to` is a list: several recipients make one group MMS (up to 10 participants).
    groupMms: true,
    // "from" may be an alphanumeric sender ID of up to 11 characters (MessageRequest.from).
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 2048,
    maxMediaCount: 10,
    maxMediaBytes: Math.floor(3.5 * 1024 * 1024),
    defaultMps: 1,
    // Not a signature: Basic-auth callback credentials, checked in verifyWebhook.
    signedWebhooks: true,
  },
};
