import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * `response_details.response_status` of queue_sms → ours. VoiceMeUp has no known delivery
 * receipts, so a queued message is final at `sent`; "error" fails the send. Any other word is
 * treated as success, as the one known integration does. No public docs; see README.md.
 */
export const VOICEMEUP_STATUS: Readonly<Record<string, MessageStatus>> = {
  success: 'sent',
  error: 'failed',
};

/** Error `code`/`_content` of a failed queue_sms → kind. VoiceMeUp publishes no codes; these patterns are ours. */
const ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[-_ ]?out|unsubscribed|blacklist|blocked/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/invalid[-_ ]?(destination|recipient|number|phone)|destination[-_ ]number/i, 'invalid_number'],
  [/auth|token|username|permission|access[-_ ]denied|login/i, 'auth_failed'],
  [/rate[-_ ]?limit|too[-_ ]many|throttl/i, 'rate_limited'],
];

export function voicemeupErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}
