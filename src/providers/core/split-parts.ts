/**
 * Carriers that deliver one message as several webhooks (VoiceMeUp: a text part whose attachment
 * is only an MMS wrapper, then the media part) mark each part with a join key. The pipeline holds
 * marked parts (services/inbound-parts.ts) and stores them as one message.
 */
import type { InboundMessage } from './types.js';

export interface SplitPart {
  /** Parts with the same key on the same account belong to one message. */
  key: string;
  /** A message is complete once it has its text part and a media part. */
  role: 'text' | 'media';
  /** True when the part is a whole message by itself if no sibling is already waiting. */
  standalone: boolean;
}

export interface SplitInboundMessage extends InboundMessage {
  split: SplitPart;
}

export function splitPartOf(message: InboundMessage): SplitPart | undefined {
  const split = (message as Partial<SplitInboundMessage>).split;
  return split && typeof split.key === 'string' ? split : undefined;
}
