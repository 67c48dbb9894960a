/**
 * The API's shapes (SPEC §3) as the dashboard uses them: static types of the shared TypeBox shapes the
 * server's serializers are typed from (src/lib/api-shapes.ts). Type-only imports: nothing reaches the bundle.
 */
import type { Static } from '@sinclair/typebox';
import type {
  ApiKeyShape,
  ContactShape,
  ConversationShape,
  LabelShape,
  MediaItemShape,
  MeShape,
  MessageRetryShape,
  MessageSenderShape,
  MessageShape,
  OptOutStateShape,
  PhoneNumberShape,
  ProviderAccountShape,
  UserShape,
  WebhookLogEntryShape,
} from '@shared/api-shapes';

export type { ConversationStatus, Role } from '@shared/api-shapes';

export type User = Static<typeof UserShape>;
export type Me = Static<typeof MeShape>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export type MediaItem = Static<typeof MediaItemShape>;
export type MessageSender = Static<typeof MessageSenderShape>;
export type MessageRetry = Static<typeof MessageRetryShape>;
export type Message = Static<typeof MessageShape>;
/** Why a conversation's customer may not be texted (GET /conversations/:id). */
export type OptOutState = Static<typeof OptOutStateShape>;
export type Conversation = Static<typeof ConversationShape>;
/** A conversation label: #rrggbb colour (GET /labels). */
export type Label = Static<typeof LabelShape>;
export type PhoneNumber = Static<typeof PhoneNumberShape>;
export type ProviderAccount = Static<typeof ProviderAccountShape>;
export type Contact = Static<typeof ContactShape>;
export type ApiKey = Static<typeof ApiKeyShape>;
export type WebhookLogEntry = Static<typeof WebhookLogEntryShape>;

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
