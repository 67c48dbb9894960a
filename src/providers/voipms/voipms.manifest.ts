import type { ProviderManifest } from '../core/types.js';

export const voipmsManifest: ProviderManifest = {
  type: 'voipms',
  displayName: 'VoIP.ms',
  docsUrl: 'https://voip.ms/m/apidocs.php',
  envPrefix: 'VOIPMS',
  // One endpoint for every call; `method` picks sendSMS or sendMMS. FS PBX's VOIPMS_BASE_URL is this full URL.
  defaultBaseUrl: 'https://voip.ms/api/v1/rest.php',
  credentials: [
    { key: 'apiUsername', label: 'API username (the account e-mail)', required: true, secret: false },
    {
      key: 'apiPassword',
      label: 'API password',
      required: true,
      secret: true,
      description: 'Set under Main Menu → SOAP and REST/JSON API, where this server\'s public IP must also be allowed',
    },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // sendMMS takes one `dst`.
    groupMms: false,
    // `did` and `dst` are 10-digit US/Canadian numbers (voipms.provider.ts nanpDigits).
    destinations: 'nanp',
    // Only the account's own SMS-enabled US/Canadian DIDs.
    senderId: false,
    // VoIP.ms has no delivery receipts: an accepted send ends at `sent`.
    statusCallbacks: false,
    // SMS is 160 characters; longer text goes as MMS, whose text may be 1,600 (VoIP.ms API: sendMMS `message`).
    maxBodyLength: 1600,
    // sendMMS takes media1, media2, media3.
    maxMediaCount: 3,
    // Not published by VoIP.ms; the common US carrier MMS ceiling (unconfirmed).
    maxMediaBytes: 1024 * 1024,
    // No per-second rate is published; the API allows 100 messages a day by default.
    defaultMps: 1,
    // VoIP.ms signs nothing: the callback URL carries a secret token.
    signedWebhooks: false,
  },
  // The SMS URL Callback is a GET; VoIP.ms fills these placeholders and sends nothing without them.
  webhookQuery: 'to={TO}&from={FROM}&message={MESSAGE}&id={ID}&date={TIMESTAMP}&media={MEDIA}',
};
