/** The parts of Wavix's wire format we read (Wavix OpenAPI `webhooks.InboundMessage`, `webhooks.DeliveryReport`; sdk-node sms-and-mms.interface). */

export interface WavixMessageBody {
  text?: string | null;
  media?: string[] | null;
}

export interface WavixSendPayload {
  from: string;
  to: string;
  message_body: { text: string; media: string[] | null };
  callback_url?: string;
}

/** 201 answer to POST /v3/messages (AccountMessageListItem). */
export interface WavixMessage {
  message_id?: string;
  status?: string;
  message_type?: 'sms' | 'mms';
  segments?: number;
  error_message?: string | null;
}

/** Error answer: `{"success": false, "message": "..."}`. */
export interface WavixError {
  success?: boolean;
  message?: string;
  error?: string;
}
