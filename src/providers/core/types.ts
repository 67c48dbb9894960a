/** The one interface every carrier adapter implements, and the data that crosses it. */
import type { AppContext } from '../../context.js';

/** Our delivery vocabulary (SPEC F4). */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['delivered', 'undelivered', 'failed']);
/** Statuses only move forward; a final state is never left. */
export const STATUS_RANK: Readonly<Record<string, number>> = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, received: 3 };

/** Where a carrier sends to, when it is not everywhere (ProviderCapabilities.destinations). */
export type DestinationScope = 'nanp';

export interface ProviderCapabilities {
  sms: boolean;
  mms: boolean;
  /**
   * One message to several recipients as a group MMS (`to` list, one conversation). Absent means
   * no: such a message is refused at POST /messages.
   */
  groupMms?: boolean;
  /**
   * Which recipients the carrier can text. `'nanp'`: North American Numbering Plan numbers only
   * (+1 and 10 digits: the US, Canada and the other +1 countries); any other `to` is refused at
   * POST /messages with `destination_unsupported` before it is queued, and the adapter refuses it
   * again at send time. Absent means any E.164 number.
   */
  destinations?: DestinationScope;
  /** Alphanumeric sender IDs allowed as `from` (F7). */
  senderId: boolean;
  statusCallbacks: boolean;
  /** Longest body the API accepts, in characters. */
  maxBodyLength: number;
  maxMediaCount: number;
  /** Total media bytes per message. */
  maxMediaBytes: number;
  /** Messages per second per number when the number sets none. 0 means unpaced. */
  defaultMps: number;
  /** Whether webhooks carry a verifiable signature; if not, the URL carries a secret token. */
  signedWebhooks: boolean;
  /**
   * The provider deduplicates sends on our message id (an idempotency or client-reference key it
   * enforces), so a send whose outcome is unknown may be asked again. Absent means no.
   */
  idempotentSends?: boolean;
}

export interface CredentialField {
  key: string;
  label: string;
  required: boolean;
  secret: boolean;
  /** Allowed values, when the field is a choice. */
  choices?: string[];
  description?: string;
}

export interface ProviderManifest {
  type: string;
  displayName: string;
  /** Short text shown as the type's logo in the provider picker (presets of the generic HTTP provider). */
  logoText?: string;
  docsUrl: string;
  /** Environment prefix for F6 accounts, e.g. `TWILIO`. */
  envPrefix: string;
  /** Default API base URL; `{placeholders}` are filled from credentials. */
  defaultBaseUrl: string;
  credentials: CredentialField[];
  capabilities: ProviderCapabilities;
  /**
   * Query the carrier fills in itself, appended to the account's webhook URL as shown to the admin
   * (VoIP.ms substitutes `{TO}`, `{FROM}`, … in the URL it calls; without them it sends no data).
   */
  webhookQuery?: string;
}

export interface ProviderAccountConfig {
  id: string;
  tenantId: string;
  type: string;
  credentials: Record<string, string>;
  /** Base URL override (tests, regional endpoints); null uses the manifest default. */
  baseUrl: string | null;
  /** Public URL of this account's webhook, as the provider calls it. */
  webhookUrl: string;
}

export interface OutboundMessage {
  /** Our message id, for references and idempotency at the provider where supported. */
  id: string;
  from: string;
  to: string[];
  body: string;
  /** Public URLs (signed for uploads) the provider fetches. */
  mediaUrls: string[];
  /** Where this provider should send delivery receipts. */
  statusCallbackUrl: string;
}

export interface SendResult {
  providerMessageId: string;
  /** The provider's answer mapped to ours, when it says more than "accepted". */
  status?: MessageStatus;
  raw?: unknown;
}

export interface WebhookRequest {
  method: string;
  /** The full public URL the provider called (PUBLIC_URL + path + query). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** Query parameters (some providers send GET webhooks). */
  query: Record<string, string>;
}

export interface InboundMedia {
  url: string;
  contentType?: string;
}

export interface InboundMessage {
  providerMessageId: string;
  from: string;
  to: string[];
  body: string;
  media: InboundMedia[];
  receivedAt?: string;
  raw?: unknown;
}

export interface StatusUpdate {
  providerMessageId: string;
  status: MessageStatus;
  /** The provider's own status word, kept for history. */
  providerStatus: string;
  errorCode?: string;
  errorMessage?: string;
  at?: string;
  /** The carrier refused because the recipient opted out there (STOP at the carrier, F27). */
  optedOut?: boolean;
  /**
   * For carriers whose receipts carry no id of the send (BulkVS's SMPP-style receipts): when no
   * message has `providerMessageId`, the receipt applies to the latest unfinished outbound message
   * from `ourNumber` to `remoteNumber` on the same account.
   */
  match?: { ourNumber: string; remoteNumber: string };
}

export interface ParsedWebhook {
  inbound: InboundMessage[];
  statuses: StatusUpdate[];
}

export interface FetchedMedia {
  contentType: string;
  data: Buffer;
}

/** Answer the provider expects from a webhook (Twilio wants TwiML). */
export interface WebhookReply {
  contentType: string;
  body: string;
}

export interface ProviderAdapter {
  readonly manifest: ProviderManifest;
  send(message: OutboundMessage): Promise<SendResult>;
  /** Throws WebhookAuthError (bad or stale signature) when the request is not authentic. */
  verifyWebhook(request: WebhookRequest): Promise<void>;
  /** Throws MalformedWebhookError when the body is not what the provider sends. */
  parseWebhook(request: WebhookRequest): ParsedWebhook;
  /** Downloads inbound media with the provider's auth where its URLs need it. */
  fetchMedia(url: string): Promise<FetchedMedia>;
  webhookReply(): WebhookReply;
}

export interface AdapterDeps {
  fetch: typeof fetch;
  /** For timestamped signatures; injectable for tests. */
  clock: () => Date;
  /** Reads media we host ourselves (signed /media URLs) without a network round trip. */
  readOwnMedia: (url: string) => Promise<FetchedMedia | null>;
  /** Posts a webhook into this process (the built-in sandbox carrier's callbacks). */
  loopback: (path: string, body: string, headers: Record<string, string>) => Promise<void>;
  /** This node's session host of a session-based type (SMPP); undefined for HTTP carriers. */
  sessions?: (type: string) => SessionHost | undefined;
}

/** Live state of a long-lived carrier session, as recorded by the node that holds it. */
export interface SessionState {
  state: 'bound' | 'binding' | 'disconnected';
  lastError: string | null;
  /** When the state last changed (ISO 8601). */
  since: string;
  /** The node holding the session, null when none does. */
  node: string | null;
}

/**
 * A carrier reached over a long-lived connection (SMPP) instead of per-request HTTP: one host per
 * node runs the sessions of every account of the type (with the workers) and stores what arrives
 * through the shared inbound pipeline; the adapter's `send` goes through it.
 */
export interface SessionHost {
  start(): void;
  /** Ends every session cleanly (unbind) and releases what this node holds. */
  stop(): Promise<void>;
  /** Throws ProviderError like any adapter; `unavailable` (retried) while no session can take it. */
  send(accountId: string, message: OutboundMessage): Promise<SendResult>;
  state(accountId: string): Promise<SessionState | null>;
}

export type AdapterFactory = (account: ProviderAccountConfig, deps: AdapterDeps) => ProviderAdapter;

export interface ProviderModule {
  manifest: ProviderManifest;
  create: AdapterFactory;
  /** Session-based types only: builds this node's session host (see SessionHost). */
  sessions?: (ctx: AppContext) => SessionHost;
  /**
   * Capabilities that depend on the account's credentials (Vonage's SMS API carries no media);
   * absent means the manifest's capabilities hold for every account.
   */
  capabilitiesFor?: (credentials: Record<string, string>) => ProviderCapabilities;
  /**
   * Checks credentials beyond the manifest's fields (e.g. the generic HTTP provider's JSON
   * config); throws CredentialsError naming the field. Runs on create, update and env load.
   */
  validate?: (credentials: Record<string, string>) => void;
}
