import type { ProviderManifest } from '../core/types.js';

/**
 * One type, two Vonage APIs chosen per account by `api`: the legacy SMS API (api_key/api_secret,
 * `sig`-signed webhooks, default host rest.nexmo.com) or the Messages API (application JWT,
 * JWT-signed webhooks, default host api.nexmo.com, MMS). `baseUrl` replaces either host.
 */
export const vonageManifest: ProviderManifest = {
  type: 'vonage',
  displayName: 'Vonage (Nexmo)',
  docsUrl: 'https://developer.vonage.com/en/messaging/sms/overview',
  envPrefix: 'VONAGE',
  defaultBaseUrl: 'https://rest.nexmo.com',
  credentials: [
    { key: 'api', label: 'API (sms or messages)', required: false, secret: false, choices: ['sms', 'messages'], description: 'Default: messages when an application id and private key are set, else sms. The default base URL is https://rest.nexmo.com (sms) or https://api.nexmo.com (messages).' },
    { key: 'apiKey', label: 'API key', required: false, secret: false, description: 'Required for the SMS API' },
    { key: 'apiSecret', label: 'API secret', required: false, secret: true, description: 'Required for the SMS API' },
    { key: 'signatureSecret', label: 'Signature secret', required: true, secret: true, description: 'Verifies signed webhooks (Dashboard → API settings)' },
    { key: 'signatureMethod', label: 'Signature method (SMS API)', required: false, secret: false, choices: ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'], description: 'As set in the dashboard; when empty, detected from the signature length' },
    { key: 'applicationId', label: 'Application ID', required: false, secret: false, description: 'Required for the Messages API' },
    { key: 'privateKey', label: 'Application private key (PEM)', required: false, secret: true, description: 'Required for the Messages API; "\\n" escapes are accepted' },
  ],
  capabilities: {
    sms: true,
    // MMS (one image per message) only when api = messages; the SMS API refuses media.
    mms: true,
    // One recipient per message on both APIs.
    groupMms: false,
    senderId: true,
    statusCallbacks: true,
    // Messages API text limit; the SMS API concatenates up to carrier limits.
    maxBodyLength: 1000,
    maxMediaCount: 1,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    signedWebhooks: true,
  },
};

export const VONAGE_SMS_BASE_URL = 'https://rest.nexmo.com';
export const VONAGE_MESSAGES_BASE_URL = 'https://api.nexmo.com';
