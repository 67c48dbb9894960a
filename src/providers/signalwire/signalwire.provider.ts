/**
 * SignalWire through its Compatibility API: the Twilio 2010-04-01 Messages resource under
 * `/api/laml` on the customer's space, Basic projectId:apiToken, webhooks signed like Twilio's
 * but with the project's Signing Key in X-SignalWire-Signature (X-Twilio-Signature also accepted).
 */
import type { AdapterDeps, ProviderAccountConfig, ProviderModule } from '../core/types.js';
import { createTwilioCompatibleProvider } from '../twilio/twilio-compatible.js';
import { signalwireManifest } from './signalwire.manifest.js';

export const SIGNALWIRE_SIGNATURE_HEADERS = ['x-signalwire-signature', 'x-twilio-signature'];

/** `example`, `example.signalwire.com` and `https://example.signalwire.com/` all name one space. */
export function signalwireSpaceOrigin(spaceUrl: string): string {
  const host = spaceUrl.trim().replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
  return `https://${host.includes('.') ? host : `${host}.signalwire.com`}`;
}

/** The documented API root; a base URL that already ends in /api/laml or /2010-04-01 is accepted too. */
export function signalwireApiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/2010-04-01$/, '').replace(/\/api\/laml$/, '') + '/api/laml';
}

export function createSignalwireProvider(account: ProviderAccountConfig, deps: AdapterDeps) {
  const { projectId, apiToken, spaceUrl, signingKey } = account.credentials as Record<'projectId' | 'apiToken' | 'spaceUrl' | 'signingKey', string>;
  return createTwilioCompatibleProvider(
    {
      manifest: signalwireManifest,
      apiRoot: signalwireApiRoot(account.baseUrl ?? signalwireSpaceOrigin(spaceUrl)),
      username: projectId,
      password: apiToken,
      signingKey,
      signatureHeaders: SIGNALWIRE_SIGNATURE_HEADERS,
    },
    deps,
  );
}

export const signalwireProvider: ProviderModule = { manifest: signalwireManifest, create: createSignalwireProvider };
