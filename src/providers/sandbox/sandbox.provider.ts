/**
 * `sandbox` (F30): a virtual carrier built in, so a new user can try everything with no carrier
 * account. Sends are accepted like a real API would, then queued → sent → delivered callbacks
 * come back through our own webhook route, signed (HMAC-SHA256 over the raw body with the
 * account's signing secret) and verified like any provider's. Recipients whose number ends in
 * 0666 are unreachable: they end `undelivered` with code SANDBOX_UNREACHABLE.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { downloadMedia, header } from '../core/http.js';
import type { AdapterDeps, MessageStatus, ParsedWebhook, ProviderAccountConfig, ProviderManifest, ProviderModule, WebhookRequest } from '../core/types.js';

export const sandboxManifest: ProviderManifest = {
  type: 'sandbox',
  displayName: 'Sandbox (virtual carrier)',
  docsUrl: 'https://github.com/switchboard/switchboard#sandbox',
  envPrefix: 'SANDBOX',
  defaultBaseUrl: 'sandbox://local',
  credentials: [
    { key: 'signingSecret', label: 'Webhook signing secret (generated when empty)', required: false, secret: true },
    { key: 'deliveryDelayMs', label: 'Delay between status callbacks (ms)', required: false, secret: false },
  ],
  capabilities: {
    sms: true,
    mms: true,
    // The virtual carrier texts one phone per message.
    groupMms: false,
    senderId: true,
    statusCallbacks: true,
    maxBodyLength: 1600,
    maxMediaCount: 10,
    maxMediaBytes: 5 * 1024 * 1024,
    defaultMps: 0,
    signedWebhooks: true,
  },
};

export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';

export function sandboxSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** The event a sandbox webhook carries: an inbound message or a status callback. */
export type SandboxEvent =
  | { type: 'message.inbound'; id: string; from: string; to: string[]; body: string; media: Array<{ url: string; contentType?: string }> }
  | { type: 'message.status'; id: string; status: MessageStatus; errorCode?: string; errorMessage?: string; at: string };

export function generateSandboxCredentials(credentials: Record<string, string>): Record<string, string> {
  return { ...credentials, signingSecret: credentials.signingSecret || randomBytes(24).toString('base64url') };
}

export function createSandboxProvider(account: ProviderAccountConfig, deps: AdapterDeps) {
  const secret = account.credentials.signingSecret ?? '';
  const delayMs = Number(account.credentials.deliveryDelayMs ?? 50) || 50;
  const webhookPath = new URL(account.webhookUrl).pathname;

  async function emit(event: SandboxEvent): Promise<void> {
    const body = JSON.stringify(event);
    await deps.loopback(webhookPath, body, { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: sandboxSignature(secret, body) });
  }

  function scheduleCallbacks(id: string, to: string): void {
    const unreachable = /0666$/.test(to);
    const steps: Array<Omit<Extract<SandboxEvent, { type: 'message.status' }>, 'type' | 'id' | 'at'>> = unreachable
      ? [{ status: 'sent' }, { status: 'undelivered', errorCode: 'SANDBOX_UNREACHABLE', errorMessage: 'The sandbox handset is unreachable (numbers ending in 0666)' }]
      : [{ status: 'sent' }, { status: 'delivered' }];
    steps.forEach((step, index) => {
      setTimeout(() => {
        emit({ type: 'message.status', id, at: deps.clock().toISOString(), ...step }).catch(() => undefined);
      }, delayMs * (index + 1)).unref();
    });
  }

  return {
    manifest: sandboxManifest,
    async send(message) {
      if (message.to.length !== 1) throw new UnsupportedCapabilityError('sandbox', 'group messages');
      const id = `SB${randomBytes(12).toString('hex')}`;
      scheduleCallbacks(id, message.to[0]!);
      return { providerMessageId: id, status: 'queued' };
    },
    async verifyWebhook(request: WebhookRequest) {
      const signature = header(request.headers, SANDBOX_SIGNATURE_HEADER);
      if (!signature) throw new WebhookAuthError('missing_signature', `${SANDBOX_SIGNATURE_HEADER} header is missing`);
      if (!secret || !safeEqual(sandboxSignature(secret, request.rawBody), signature)) {
        throw new WebhookAuthError('bad_signature', `${SANDBOX_SIGNATURE_HEADER} does not match the body`);
      }
    },
    parseWebhook(request: WebhookRequest): ParsedWebhook {
      let event: SandboxEvent;
      try {
        event = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        throw new MalformedWebhookError('body is not JSON');
      }
      if (typeof event?.id !== 'string') throw new MalformedWebhookError('id is missing');
      if (event.type === 'message.inbound') {
        if (typeof event.from !== 'string' || !Array.isArray(event.to)) throw new MalformedWebhookError('from and to are required');
        return { inbound: [{ providerMessageId: event.id, from: event.from, to: event.to, body: event.body ?? '', media: event.media ?? [] }], statuses: [] };
      }
      if (event.type === 'message.status') {
        return {
          inbound: [],
          statuses: [{ providerMessageId: event.id, status: event.status, providerStatus: event.status, errorCode: event.errorCode, errorMessage: event.errorMessage, at: event.at }],
        };
      }
      throw new MalformedWebhookError(`unknown event type "${(event as { type?: string }).type}"`);
    },
    async fetchMedia(url: string) {
      return (await deps.readOwnMedia(url)) ?? downloadMedia(deps.fetch, 'sandbox', url);
    },
    webhookReply: () => ({ contentType: 'application/json', body: '{"ok":true}' }),
    /** Injects an inbound message as the virtual handset `from` texting `to`. */
    async injectInbound(input: { from: string; to: string; body: string; media: Array<{ url: string; contentType?: string }> }): Promise<string> {
      const id = `SBI${randomBytes(12).toString('hex')}`;
      await emit({ type: 'message.inbound', id, from: input.from, to: [input.to], body: input.body, media: input.media });
      return id;
    },
  } satisfies import('../core/types.js').ProviderAdapter & Record<string, unknown>;
}

export type SandboxAdapter = ReturnType<typeof createSandboxProvider>;

export const sandboxProvider: ProviderModule = { manifest: sandboxManifest, create: createSandboxProvider };
