import type { AdapterDeps, ProviderAccountConfig, ProviderAdapter, ProviderCapabilities, ProviderModule } from '../core/types.js';
import { createVonageMessagesAdapter } from './vonage-messages.js';
import { createVonageSmsAdapter } from './vonage-sms.js';
import { VONAGE_MESSAGES_BASE_URL, VONAGE_SMS_BASE_URL, vonageManifest } from './vonage.manifest.js';
import type { VonageSignatureMethod } from './vonage.signature.js';

/** Signed webhooks older or newer than this are refused as replays. */
export const VONAGE_WEBHOOK_TOLERANCE_MS = 5 * 60_000;

export type VonageApi = 'sms' | 'messages';

export function vonageApi(credentials: Record<string, string>): VonageApi {
  if (credentials.api === 'sms' || credentials.api === 'messages') return credentials.api;
  return credentials.applicationId && credentials.privateKey ? 'messages' : 'sms';
}

export function createVonageProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const credentials = account.credentials;
  const common = { manifest: vonageManifest, apiKey: credentials.apiKey, signatureSecret: credentials.signatureSecret ?? '', toleranceMs: VONAGE_WEBHOOK_TOLERANCE_MS };
  if (vonageApi(credentials) === 'messages') {
    return createVonageMessagesAdapter(
      {
        ...common,
        baseUrl: account.baseUrl ?? VONAGE_MESSAGES_BASE_URL,
        applicationId: credentials.applicationId,
        // Environment variables often carry the PEM on one line with literal "\n".
        privateKey: credentials.privateKey?.replace(/\\n/g, '\n'),
      },
      deps,
    );
  }
  return createVonageSmsAdapter(
    { ...common, baseUrl: account.baseUrl ?? VONAGE_SMS_BASE_URL, apiSecret: credentials.apiSecret, signatureMethod: credentials.signatureMethod as VonageSignatureMethod | undefined },
    deps,
  );
}

/** The SMS API carries no media: an account on it refuses MMS at POST /messages, before anything is queued. */
export function vonageCapabilities(credentials: Record<string, string>): ProviderCapabilities {
  const capabilities = vonageManifest.capabilities;
  return vonageApi(credentials) === 'sms' ? { ...capabilities, mms: false, maxMediaCount: 0, maxMediaBytes: 0 } : capabilities;
}

export const vonageProvider: ProviderModule = { manifest: vonageManifest, create: createVonageProvider, capabilitiesFor: vonageCapabilities };
