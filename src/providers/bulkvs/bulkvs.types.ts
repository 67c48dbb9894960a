/** The parts of BulkVS's wire format we read and write (unconfirmed; sources in README.md). */

/** POST {base}/messageSend body. Numbers are 11 digits without "+". */
export interface BulkvsSendPayload {
  From: string;
  To: string[];
  Message: string;
  MediaURLs?: string[];
}

/** 200 answer: `RefId` identifies the send; each recipient has its own `Status` ("SUCCESS" when accepted). */
export interface BulkvsSendAnswer {
  RefId?: string;
  From?: string;
  MessageType?: 'SMS' | 'MMS';
  Results?: Array<{ To?: string; Status?: string }>;
  /** Error shapes seen in integrations (body not documented). */
  Code?: string | number;
  Description?: string;
  Message?: string;
  error?: string;
}

/** The message webhook: inbound SMS/MMS, and receipts with `DeliveryReceipt: true`. */
export interface BulkvsWebhook {
  From?: unknown;
  To?: unknown;
  /** URL-form-encoded inside the JSON (`+` for space); for receipts the SMPP receipt text. */
  Message?: unknown;
  MediaURLs?: unknown;
  RefId?: unknown;
  DeliveryReceipt?: unknown;
}
