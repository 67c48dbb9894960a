/** The parts of Skyetel's wire format we read and write (README.md says what is confirmed). */

/** POST {base}/v1/out?from=<11 digits> body. */
export interface SkyetelSendPayload {
  /** One 11-digit destination. */
  to: string;
  /** Up to 1024 characters; "" on a media-only MMS. */
  text: string;
  /** Public media URLs; makes it an MMS. */
  media?: string[];
}

/** The per-number callback: "the same fields as the send request" plus `from`. */
export interface SkyetelInbound {
  from?: unknown;
  to?: unknown;
  text?: unknown;
  media?: unknown;
}
