/** Every provider type, in one map. Adding an adapter means adding its module here. */
import type { ProviderModule } from './types.js';
import { sandboxProvider } from '../sandbox/sandbox.provider.js';
import { twilioProvider } from '../twilio/twilio.provider.js';

export const PROVIDERS: ReadonlyMap<string, ProviderModule> = new Map(
  [sandboxProvider, twilioProvider].map((module) => [module.manifest.type, module]),
);

export function providerModule(type: string): ProviderModule | undefined {
  return PROVIDERS.get(type);
}
