import type { AdapterDeps, ProviderAccountConfig, ProviderModule } from '../core/types.js';
import { createTwilioCompatibleProvider } from './twilio-compatible.js';
import { twilioManifest } from './twilio.manifest.js';

export function createTwilioProvider(account: ProviderAccountConfig, deps: AdapterDeps) {
  const { accountSid, authToken } = account.credentials as { accountSid: string; authToken: string };
  return createTwilioCompatibleProvider(
    {
      manifest: twilioManifest,
      apiRoot: account.baseUrl ?? twilioManifest.defaultBaseUrl,
      username: accountSid,
      password: authToken,
      signingKey: authToken,
      signatureHeaders: ['x-twilio-signature'],
    },
    deps,
  );
}

export const twilioProvider: ProviderModule = { manifest: twilioManifest, create: createTwilioProvider };
