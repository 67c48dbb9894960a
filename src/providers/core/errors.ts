/** Errors adapters throw. ProviderError carries whether the job queue should retry. */

/**
 * `outcome_unknown`: the request reached the provider but no answer came back (timeout, reset
 * mid-exchange). The message may have been accepted, so it is not blindly sent again.
 */
export type ProviderErrorKind = 'auth_failed' | 'rate_limited' | 'unavailable' | 'rejected' | 'opted_out' | 'invalid_number' | 'insufficient_funds' | 'unsupported' | 'outcome_unknown';

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(['rate_limited', 'unavailable']);

export class ProviderError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly provider: string,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { providerCode?: string; httpStatus?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'ProviderError';
    this.retryable = RETRYABLE.has(kind);
  }

  /** The code stored on a failed message: the provider's own code when it gave one. */
  get code(): string {
    return this.details.providerCode ?? this.kind;
  }
}

export class UnsupportedCapabilityError extends ProviderError {
  constructor(provider: string, capability: string) {
    super(provider, 'unsupported', `${provider} does not support ${capability}`);
  }
}

export class WebhookAuthError extends Error {
  constructor(readonly reason: 'bad_signature' | 'stale_signature' | 'missing_signature', message: string) {
    super(message);
    this.name = 'WebhookAuthError';
  }
}

export class MalformedWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedWebhookError';
  }
}
