import type { ProviderManifest } from '../core/types.js';

export const clicksendManifest: ProviderManifest = {
  type: 'clicksend',
  displayName: 'ClickSend',
  docsUrl: 'https://developers.clicksend.com/docs/messaging/sms',
  envPrefix: 'CLICKSEND',
  defaultBaseUrl: 'https://rest.clicksend.com',
  credentials: [
    { key: 'username', label: 'API username', required: true, secret: false },
    { key: 'apiKey', label: 'API key', required: true, secret: true },
    { key: 'mmsSubject', label: 'MMS subject (max 20 characters)', required: false, secret: false, description: 'ClickSend requires a subject on every MMS; default "Message"' },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // One recipient per message.
    groupMms: false,
    // Alpha tags (business names) are allowed as `from` where the destination country permits.
    senderId: true,
    statusCallbacks: true,
    // MMS text limit (1500); long SMS are split by ClickSend. Unconfirmed for SMS.
    maxBodyLength: 1500,
    // One attachment per MMS, at most 250 kB (jpg/gif as-is; other types need ClickSend's converter).
    maxMediaCount: 1,
    maxMediaBytes: 250 * 1024,
    defaultMps: 0,
    // ClickSend has no webhook signature: the account's webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
