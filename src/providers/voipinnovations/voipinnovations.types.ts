/** The parts of the VoIP Innovations Programmable (Apidaze) wire format we read; see README for what is unverified. */

/** Answer to POST /{api_key}/sms/send. */
export interface VoipInnovationsSendAnswer {
  ok?: boolean;
  message?: string;
  error?: string;
  details?: { uuid?: string };
}

/** Inbound webhook (FS PBX's Apidaze handler): `type` incomingWebhookSMS / incomingWebhookMMS. */
export interface VoipInnovationsInbound {
  type?: string;
  caller_id_number?: string;
  destination_number?: string;
  text?: string;
  /** A list of URLs, or a string of `'name.jpg':'<base64>'` pairs. */
  files?: string | Array<string | { url?: string }>;
}
