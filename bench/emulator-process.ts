/**
 * Runs the Twilio emulator in its own process for benchmarks; prints {"baseUrl"} when ready.
 * Its receipts go out over a keep-alive node:http agent instead of fetch (retried as carriers retry): the emulator stands in
 * for a carrier's fleet, so it must not be what limits the benchmark (with fetch it was the
 * busiest process in the end-to-end phase).
 */
import http from 'node:http';
import { retried, type Deliver } from '../src/providers/testing/emulator.js';
import { startTwilioEmulator } from '../src/providers/twilio/twilio.emulator.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const deliver: Deliver = retried((url, init) =>
  new Promise((resolve, reject) => {
    const request = http.request(url, { method: init.method, headers: init.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(init.method === 'GET' ? undefined : init.body);
  }),
);

const emulator = await startTwilioEmulator({ accountSid: process.env.EMU_SID!, authToken: process.env.EMU_TOKEN!, callbackDelayMs: Number(process.env.EMU_DELAY_MS ?? 5), deliver });
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
