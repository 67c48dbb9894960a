/** The parts of VoiceMeUp's clients API v1.1 wire format we read (see README for what is unconfirmed). */

export interface VoicemeupResponseMessage {
  code?: string;
  _content?: string;
}

/** Answer to POST /api/v1.1/json/queue_sms. `message` may be one object or a list. */
export interface VoicemeupResponse {
  response_details?: {
    response_status?: string;
    response_messages?: { message?: VoicemeupResponseMessage | VoicemeupResponseMessage[] };
  };
}

/** Inbound callback (JSON or form). Older names `attachment_url` / `attachment_type` also occur. */
export interface VoicemeupInbound {
  message?: string;
  source_number?: string;
  destination_number?: string;
  direction?: string;
  sms_hash?: string;
  datetime_transmission?: string;
  attachment?: string;
  attachment_mime_type?: string;
}
