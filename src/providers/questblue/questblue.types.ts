/**
 * The parts of QuestBlue's API v2 (SMS v2) we read and write: the official PHP SDK
 * (QuestBlue/phpsdk `SendSmsRequest`, `SendSmsMmsResponse`, `InboundMessageCallback`,
 * `StatusMessageCallback`) and the provider notes.
 */

/** JSON body of `POST /smsv2`. */
export interface QuestblueSendPayload {
  /** Our DID, 10 digits. */
  did: string;
  /** The recipient, 10 digits. */
  did_to: string;
  msg: string;
  /** One public media URL makes it an MMS. */
  file_url?: string;
}

/** 200 answer: one entry per recipient/part. Errors: `{"error": "..."}`, even with HTTP 206. */
export interface QuestblueAnswer {
  data?: Array<{ msg_id?: string | number; msgId?: string | number }>;
  error?: string;
}

/** Inbound message: `to` is a list (several numbers for a group MMS); no message id. */
export interface QuestblueInbound {
  from?: string;
  to?: string[];
  text?: string;
  media?: string[];
  segments?: string;
  type?: string;
}

/** Status callback: one per recipient, no message id. */
export interface QuestblueStatusCallback {
  from?: string;
  to?: string;
  status?: string;
  reason?: string | null;
  segments?: string;
}
