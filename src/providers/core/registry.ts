/** Every provider type, in one map. Adding an adapter means adding its module here. */
import type { ProviderModule } from './types.js';
import { sandboxProvider } from '../sandbox/sandbox.provider.js';
import { twilioProvider } from '../twilio/twilio.provider.js';
import { vonageProvider } from '../vonage/vonage.provider.js';
import { sinchProvider } from '../sinch/sinch.provider.js';
import { telnyxProvider } from '../telnyx/telnyx.provider.js';
import { bandwidthProvider } from '../bandwidth/bandwidth.provider.js';
import { plivoProvider } from '../plivo/plivo.provider.js';
import { clicksendProvider } from '../clicksend/clicksend.provider.js';
import { signalwireProvider } from '../signalwire/signalwire.provider.js';
import { httpProvider } from '../http/http.provider.js';
import { airenetworksProvider } from '../http/presets/airenetworks.preset.js';
import { wavixProvider } from '../wavix/wavix.provider.js';
import { smppProvider } from '../smpp/smpp.provider.js';
import { voxtelesysProvider } from '../voxtelesys/voxtelesys.provider.js';
import { voipmsProvider } from '../voipms/voipms.provider.js';
import { flowrouteProvider } from '../flowroute/flowroute.provider.js';
import { questblueProvider } from '../questblue/questblue.provider.js';
import { commioProvider } from '../commio/commio.provider.js';
import { bulkvsProvider } from '../bulkvs/bulkvs.provider.js';
import { skyetelProvider } from '../skyetel/skyetel.provider.js';
import { voipinnovationsProvider } from '../voipinnovations/voipinnovations.provider.js';
import { voicemeupProvider } from '../voicemeup/voicemeup.provider.js';

export const PROVIDERS: ReadonlyMap<string, ProviderModule> = new Map(
  [sandboxProvider, twilioProvider, telnyxProvider, bandwidthProvider, vonageProvider, sinchProvider, plivoProvider, clicksendProvider, signalwireProvider, wavixProvider, voxtelesysProvider, voipinnovationsProvider, voicemeupProvider, bulkvsProvider, skyetelProvider, httpProvider, airenetworksProvider, smppProvider, voipmsProvider, flowrouteProvider, questblueProvider, commioProvider].map((module) => [module.manifest.type, module]),
);

export function providerModule(type: string): ProviderModule | undefined {
  return PROVIDERS.get(type);
}
