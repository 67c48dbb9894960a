import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * Status callback `status` (lower-cased) → ours. QuestBlue documents only part of its vocabulary
 * (the SDK's `StatusMessageCallback` / delivery-status poll: `sent`, `delivered`, `failed`);
 * `undelivered` and `rejected` are the notes' suggestion. https://docs.questblue.com/ (SMS v2).
 * Unknown words keep the message `sent` with the raw word; a `reason` on a failure is kept.
 */
export const QUESTBLUE_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
};

/**
 * QuestBlue errors are free text (`{"error": "..."}`, HTTP 206 or 400); the text decides the kind
 * (patterns are ours, not QuestBlue's), else the HTTP status does.
 */
export const QUESTBLUE_ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|stop list|blacklist/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/invalid (destination|recipient|did_to|to\b|phone|number)|did_to/i, 'invalid_number'],
  [/security[- ]key|unauthori[sz]ed|not authorized|ip (address )?(is )?not (allowed|registered|authorized)|login|password/i, 'auth_failed'],
  [/too many|rate limit|throttl/i, 'rate_limited'],
];

export function questblueErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return QUESTBLUE_ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}
