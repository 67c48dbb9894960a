import type { ProviderManifest } from '../core/types.js';

export const SINCH_REGIONS = ['us', 'eu', 'au', 'br', 'ca'];

export const sinchManifest: ProviderManifest = {
  type: 'sinch',
  displayName: 'Sinch SMS',
  docsUrl: 'https://developers.sinch.com/docs/sms/api-reference/',
  envPrefix: 'SINCH',
  defaultBaseUrl: 'https://{region}.sms.api.sinch.com',
  credentials: [
    { key: 'servicePlanId', label: 'Service plan ID', required: true, secret: false },
    { key: 'apiToken', label: 'API token', required: true, secret: true },
    { key: 'region', label: 'Region (default us)', required: false, secret: false, choices: SINCH_REGIONS },
    { key: 'webhookSecret', label: 'Callback HMAC secret', required: true, secret: true, description: 'Sinch enables HMAC-signed callbacks per service plan on request' },
  ],
  capabilities: {
    sms: true,
    // mt_media (US), enabled on the service plan by Sinch; one media URL per message.
    mms: true,
    // A batch to several numbers is separate messages, not a group MMS.
    groupMms: false,
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 1,
    maxMediaBytes: 1024 * 1024,
    defaultMps: 1,
    signedWebhooks: true,
  },
};
