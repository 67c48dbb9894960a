/**
 * A local stand-in for a SignalWire space: the Twilio emulator answering under /api/laml, with
 * Basic projectId:apiToken and webhooks signed X-SignalWire-Signature with the Signing Key.
 * Unlike the real service it also sends receipts for MMS, which the shared contract expects.
 */
import type { Deliver } from '../testing/emulator.js';
import { startTwilioEmulator } from '../twilio/twilio.emulator.js';

export interface SignalwireEmulatorOptions {
  projectId: string;
  apiToken: string;
  signingKey: string;
  deliver?: Deliver;
  callbackDelayMs?: number;
}

export function startSignalwireEmulator(options: SignalwireEmulatorOptions) {
  return startTwilioEmulator({
    accountSid: options.projectId,
    authToken: options.apiToken,
    signingKey: options.signingKey,
    signatureHeader: 'X-SignalWire-Signature',
    deliver: options.deliver,
    callbackDelayMs: options.callbackDelayMs,
  });
}
