/** The recipients a carrier can text (ProviderCapabilities.destinations), checked before a send is queued. */
import { isNanpNumber } from './nanp.js';
import type { DestinationScope } from './types.js';

interface Scope {
  carries: (e164: string) => boolean;
  /** For messages: "outside the countries <type> carries (<words>)". */
  words: string;
}

const SCOPES: Record<DestinationScope, Scope> = {
  nanp: { carries: isNanpNumber, words: 'US and Canada: +1 and 10 digits' },
};

/** Whether a carrier limited to `scope` (absent: none) can text `e164`. */
export function carriesDestination(scope: DestinationScope | undefined, e164: string): boolean {
  return scope === undefined || SCOPES[scope].carries(e164);
}

export function destinationWords(scope: DestinationScope): string {
  return SCOPES[scope].words;
}
