import type { ProviderManifest } from '../core/types.js';

/** SignalWire's Twilio-compatible "Compatibility API" (formerly LaML) on the customer's own space. */
export const signalwireManifest: ProviderManifest = {
  type: 'signalwire',
  displayName: 'SignalWire',
  docsUrl: 'https://developer.signalwire.com/compatibility-api/rest/create-a-message/',
  envPrefix: 'SIGNALWIRE',
  defaultBaseUrl: 'https://{spaceUrl}',
  credentials: [
    { key: 'projectId', label: 'Project ID', required: true, secret: false },
    { key: 'apiToken', label: 'API Token', required: true, secret: true },
    { key: 'spaceUrl', label: 'Space URL', required: true, secret: false, description: 'e.g. example.signalwire.com' },
    { key: 'signingKey', label: 'Signing Key', required: true, secret: true, description: 'API Credentials page; signs X-SignalWire-Signature' },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // One "To" per message (Twilio-compatible API): no group MMS.
    groupMms: false,
    // Compatibility API sends only from SignalWire numbers (E.164); no alphanumeric senders.
    senderId: false,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 8,
    maxMediaBytes: 5 * 1024 * 1024,
    defaultMps: 1,
    signedWebhooks: true,
  },
};
