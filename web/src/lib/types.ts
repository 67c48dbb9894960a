/** The API's shapes (SPEC §3) as the dashboard uses them. */
export type Role = 'owner' | 'admin' | 'agent';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  extension: string | null;
  mobile: string | null;
  sendPermission: 'none' | 'number' | 'sender_id';
  callerIds: string[];
  groupIds: string[];
  defaultCallerId?: string | null;
  emailCopies?: boolean;
  createdAt: string;
}

export interface Me {
  user: User | null;
  tenant: { id: string; name: string };
  csrfToken: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export interface MediaItem {
  id: string;
  contentType: string;
  size: number;
  url: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string | string[];
  body: string;
  media: MediaItem[];
  encoding: string;
  segments: number;
  status: string;
  providerAccountId: string | null;
  providerType: string | null;
  providerMessageId: string | null;
  error: { code: string; message: string } | null;
  history: Array<{ status: string; at: string; detail?: string }>;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  sendAt?: string | null;
  /** While a send is retried: attempts so far, the next attempt and the last failure. */
  retry?: { attempts: number; maxAttempts: number; nextAttemptAt: string | null; lastError: string | null } | null;
  /** Who sent an outbound message; null for inbound messages and older rows that recorded no sender. */
  sender?: MessageSender | null;
}

export interface MessageSender {
  kind: 'user' | 'api_key' | 'workflow' | 'system';
  name: string;
}

/** Why a conversation's customer may not be texted (GET /conversations/:id). */
export type OptOutState =
  | { phone: string; reason: 'opted_out'; scope: 'number' | 'tenant'; source: 'keyword' | 'carrier' | 'admin' | 'import'; since: string }
  | { phone: string; reason: 'contact_disallows_sms'; contactName: string };

export interface Conversation {
  id: string;
  ourNumber: string;
  numberId: string | null;
  remoteNumbers: string[];
  contacts: Array<{ id: string; name: string }>;
  lastMessage: { id: string; direction: string; body: string; status: string; createdAt: string; mediaCount: number } | null;
  unreadCount: number;
  assignedUserId: string | null;
  updatedAt: string;
  optOut?: OptOutState | null;
  /** open, pending, resolved or snoozed (until snoozedUntil). */
  status?: ConversationStatus;
  snoozedUntil?: string | null;
  /** Labels (issue 12), by name. */
  labels?: Label[];
}

/** A conversation label: #rrggbb colour (GET /labels). */
export interface Label {
  id: string;
  name: string;
  color: string;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';

export interface PhoneNumber {
  id: string;
  number: string;
  providerAccountId: string;
  destinations: { userIds?: string[]; extensions?: string[]; emails?: string[]; groupIds?: string[] };
  systemNotification: boolean;
  defaultCountry: string | null;
  mps: number | null;
  createdAt: string;
  /** The provider account's name and type, and whether the caller may send from it. */
  label?: string | null;
  providerType?: string | null;
  canSend?: boolean;
}

export interface CredentialField {
  key: string;
  label: string;
  required: boolean;
  secret: boolean;
  env?: string;
}

export interface ProviderType {
  type: string;
  displayName: string;
  docsUrl: string;
  defaultBaseUrl: string;
  capabilities: Record<string, unknown>;
  credentials: CredentialField[];
  baseUrlEnv?: string;
  /** Short logo text (presets of the generic HTTP provider). */
  logoText?: string | null;
  /** Built on the generic HTTP provider: the form shows the Try-it preview. */
  tryIt?: boolean;
}

export interface ProviderAccount {
  id: string;
  type: string;
  name: string;
  baseUrl: string | null;
  source: 'api' | 'env';
  webhookUrls: { inbound: string; status: string };
  credentialKeys: string[];
  createdAt: string;
  updatedAt: string;
  /** Session-based carriers (SMPP): the bind's live state; null for webhook carriers. */
  session?: { state: 'bound' | 'binding' | 'disconnected'; lastError: string | null; since: string; node: string | null } | null;
}

export interface Contact {
  id: string;
  name: string;
  phones: string[];
  fields: Record<string, unknown>;
  tags: string[];
  allowSms: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
}

export interface WebhookLogEntry {
  id: number;
  providerType: string;
  providerAccountId: string | null;
  method: string;
  url: string;
  verdict: 'accepted' | 'duplicate' | 'refused';
  reason: string | null;
  httpStatus: number;
  remoteIp: string | null;
  createdAt: string;
}
