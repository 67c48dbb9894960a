import type { ProviderManifest } from '../core/types.js';

export const questblueManifest: ProviderManifest = {
  type: 'questblue',
  displayName: 'QuestBlue',
  docsUrl: 'https://docs.questblue.com/',
  envPrefix: 'QUESTBLUE',
  defaultBaseUrl: 'https://api.questblue.com',
  credentials: [
    { key: 'login', label: 'API login (account or API sub-user)', required: true, secret: false },
    { key: 'password', label: 'Password', required: true, secret: true },
    {
      key: 'securityKey',
      label: 'Security key (API Management → QB API Key)',
      required: true,
      secret: true,
      description: "Sent as the Security-Key header; this server's IP must also be registered under Programmers API → API access",
    },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // `did_to` is one number; group MMS only arrives (inbound `to[]`), it cannot be sent.
    groupMms: false,
    // `did_to` is a 10-digit North American number (questblue.provider.ts usDigits).
    destinations: 'nanp',
    senderId: false,
    // Status callbacks exist but carry no message id: matched by numbers (StatusUpdate.match).
    statusCallbacks: true,
    // Unpublished (unconfirmed); the usual 10-segment concatenation limit.
    maxBodyLength: 1600,
    // The official PHP SDK sends one `file_url`; size limit unpublished (unconfirmed).
    maxMediaCount: 1,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    // QuestBlue signs nothing: the webhook URL carries a secret token.
    signedWebhooks: false,
  },
};
