/**
 * The API's response shapes (SPEC §3), defined once: the server types its serializers from them, the
 * dashboard imports their static types (web/src/lib/types.ts), and the OpenAPI document lists them
 * as components. Imports only TypeBox, so the browser build can use it without server code.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const closed = { additionalProperties: false } as const;

export const RoleShape = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')]);

export const UserShape = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    role: RoleShape,
    extension: Nullable(Type.String()),
    mobile: Nullable(Type.String()),
    sendPermission: Type.Union([Type.Literal('none'), Type.Literal('number'), Type.Literal('sender_id')]),
    callerIds: Type.Array(Type.String()),
    groupIds: Type.Array(Type.String()),
    defaultCallerId: Nullable(Type.String()),
    emailCopies: Type.Boolean(),
    createdAt: Type.String(),
  },
  closed,
);

/** GET /me: the signed-in user (null for an API key, which gets apiKey instead). */
export const MeShape = Type.Object(
  {
    user: Nullable(UserShape),
    tenant: Type.Object({ id: Type.String(), name: Type.String() }, closed),
    apiKey: Type.Optional(Type.Object({ id: Nullable(Type.String()), scopes: Type.Array(Type.String()) }, closed)),
    csrfToken: Nullable(Type.String()),
  },
  closed,
);

/** A list response: `{items, nextCursor}` (total where the endpoint counts). */
export const PageShape = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()), total: Type.Optional(Type.Number()) }, closed);

export const MediaItemShape = Type.Object(
  { id: Type.String(), contentType: Type.String(), size: Type.Number(), url: Nullable(Type.String()) },
  closed,
);

export const MessageSenderShape = Type.Object(
  {
    kind: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('workflow'), Type.Literal('system')]),
    name: Type.String(),
  },
  closed,
);

/** While a send is being retried: attempts so far, when the next one runs (null once it gave up) and why the last failed. */
export const MessageRetryShape = Type.Object(
  { attempts: Type.Number(), maxAttempts: Type.Number(), nextAttemptAt: Nullable(Type.String()), lastError: Nullable(Type.String()) },
  closed,
);

export const MessageShape = Type.Object(
  {
    id: Type.String(),
    conversationId: Type.String(),
    direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
    from: Type.String(),
    to: Type.Union([Type.String(), Type.Array(Type.String())]),
    body: Type.String(),
    media: Type.Array(MediaItemShape),
    encoding: Type.String(),
    segments: Type.Number(),
    status: Type.String(),
    providerAccountId: Nullable(Type.String()),
    providerType: Nullable(Type.String()),
    providerMessageId: Nullable(Type.String()),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() }, closed)),
    history: Type.Array(Type.Object({ status: Type.String(), at: Type.String(), detail: Type.Optional(Type.String()) }, closed)),
    createdAt: Type.String(),
    sentAt: Nullable(Type.String()),
    deliveredAt: Nullable(Type.String()),
    readAt: Nullable(Type.String()),
    sendAt: Nullable(Type.String()),
    retry: Nullable(MessageRetryShape),
    /** Who sent an outbound message; null when unknown (older rows, inbound). */
    sender: Nullable(MessageSenderShape),
  },
  closed,
);

export const LabelShape = Type.Object({ id: Type.String(), name: Type.String(), color: Type.String() }, closed);

export const ConversationStatusShape = Type.Union([Type.Literal('open'), Type.Literal('pending'), Type.Literal('resolved'), Type.Literal('snoozed')]);

/** Why a conversation's customer may not be texted (GET /conversations/:id). */
export const OptOutStateShape = Type.Union(
  [
    Type.Object(
      {
        phone: Type.String(),
        reason: Type.Literal('opted_out'),
        scope: Type.Union([Type.Literal('number'), Type.Literal('tenant')]),
        source: Type.Union([Type.Literal('keyword'), Type.Literal('carrier'), Type.Literal('admin'), Type.Literal('import')]),
        since: Type.String(),
      },
      closed,
    ),
    Type.Object({ phone: Type.String(), reason: Type.Literal('contact_disallows_sms'), contactName: Type.String() }, closed),
  ],
);

const conversationFields = {
  id: Type.String(),
  ourNumber: Type.String(),
  numberId: Nullable(Type.String()),
  remoteNumbers: Type.Array(Type.String()),
  contacts: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, closed)),
  lastMessage: Nullable(
    Type.Object(
      { id: Type.String(), direction: Type.String(), body: Type.String(), status: Type.String(), createdAt: Type.String(), mediaCount: Type.Number() },
      closed,
    ),
  ),
  unreadCount: Type.Number(),
  assignedUserId: Nullable(Type.String()),
  updatedAt: Type.String(),
  /** open, pending, resolved or snoozed (a snooze that ran out reads as open). */
  status: ConversationStatusShape,
  snoozedUntil: Nullable(Type.String()),
  labels: Type.Array(LabelShape),
};

/** A conversation as lists return it; GET /conversations/:id adds optOut. */
export const ConversationShape = Type.Object(
  { ...conversationFields, optOut: Type.Optional(Nullable(OptOutStateShape)) },
  closed,
);

export const PhoneNumberShape = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    providerAccountId: Type.String(),
    destinations: Type.Object(
      {
        userIds: Type.Optional(Type.Array(Type.String())),
        extensions: Type.Optional(Type.Array(Type.String())),
        emails: Type.Optional(Type.Array(Type.String())),
        groupIds: Type.Optional(Type.Array(Type.String())),
      },
      closed,
    ),
    systemNotification: Type.Boolean(),
    defaultCountry: Nullable(Type.String()),
    mps: Nullable(Type.Number()),
    createdAt: Type.String(),
    /** GET /numbers only: the provider account's name and type, and whether the caller may send from the number. */
    label: Type.Optional(Nullable(Type.String())),
    providerType: Type.Optional(Nullable(Type.String())),
    canSend: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const SessionStateShape = Type.Object(
  {
    state: Type.Union([Type.Literal('bound'), Type.Literal('binding'), Type.Literal('disconnected')]),
    lastError: Nullable(Type.String()),
    since: Type.String(),
    node: Nullable(Type.String()),
  },
  closed,
);

export const ProviderAccountShape = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    name: Type.String(),
    baseUrl: Nullable(Type.String()),
    source: Type.Union([Type.Literal('api'), Type.Literal('env')]),
    webhookUrls: Type.Object({ inbound: Type.String(), status: Type.String() }, closed),
    credentialKeys: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    /** Session-based carriers (SMPP): the bind's live state; null for webhook carriers. */
    session: Nullable(SessionStateShape),
  },
  closed,
);

export const ContactFieldValueShape = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const ContactShape = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    phones: Type.Array(Type.String()),
    fields: Type.Record(Type.String(), ContactFieldValueShape),
    tags: Type.Array(Type.String()),
    allowSms: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  closed,
);

export const ApiKeyShape = Type.Object(
  { id: Type.String(), name: Type.String(), prefix: Type.String(), scopes: Type.Array(Type.String()), createdAt: Type.String() },
  closed,
);

export const WebhookLogEntryShape = Type.Object(
  {
    id: Type.Number(),
    providerType: Type.String(),
    providerAccountId: Nullable(Type.String()),
    method: Type.String(),
    url: Type.String(),
    verdict: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('refused')]),
    reason: Nullable(Type.String()),
    httpStatus: Type.Number(),
    remoteIp: Nullable(Type.String()),
    /** How the request arrived: `webhook` (HTTP) or `smpp` (deliver_sm). */
    transport: Type.String(),
    createdAt: Type.String(),
  },
  closed,
);

/** The named shapes, for the OpenAPI document's components.schemas (src/app.ts). */
export const apiShapes = {
  User: UserShape,
  Me: MeShape,
  MediaItem: MediaItemShape,
  MessageSender: MessageSenderShape,
  MessageRetry: MessageRetryShape,
  Message: MessageShape,
  Label: LabelShape,
  OptOutState: OptOutStateShape,
  Conversation: ConversationShape,
  PhoneNumber: PhoneNumberShape,
  SessionState: SessionStateShape,
  ProviderAccount: ProviderAccountShape,
  Contact: ContactShape,
  ApiKey: ApiKeyShape,
  WebhookLogEntry: WebhookLogEntryShape,
};

export type Role = Static<typeof RoleShape>;
export type ConversationStatus = Static<typeof ConversationStatusShape>;
