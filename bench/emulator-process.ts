/** Runs the Twilio emulator in its own process for benchmarks; prints {"baseUrl"} when ready. */
import { startTwilioEmulator } from '../src/providers/twilio/twilio.emulator.js';

const emulator = await startTwilioEmulator({ accountSid: process.env.EMU_SID!, authToken: process.env.EMU_TOKEN!, callbackDelayMs: Number(process.env.EMU_DELAY_MS ?? 5) });
console.log(JSON.stringify({ baseUrl: emulator.baseUrl }));
process.on('message', (message) => {
  if (message === 'stats') {
    const bodies = new Map<string, number>();
    for (const request of emulator.requests) {
      const body = new URLSearchParams(request.text).get('Body') ?? '';
      bodies.set(body, (bodies.get(body) ?? 0) + 1);
    }
    process.send!({ requests: emulator.requests.length, bodies: [...bodies] });
  }
});
