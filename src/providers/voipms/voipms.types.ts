/** The parts of VoIP.ms's wire format we read and write (https://voip.ms/m/apidocs.php, REST/JSON API). */

/** Form fields of `method=sendSMS` / `method=sendMMS` (multipart POST to rest.php). */
export interface VoipmsSendFields {
  api_username: string;
  api_password: string;
  method: 'sendSMS' | 'sendMMS';
  /** Our DID, 10 digits. */
  did: string;
  /** The recipient, 10 digits. */
  dst: string;
  message: string;
  media1?: string;
  media2?: string;
  media3?: string;
}

/** Every answer is HTTP 200 JSON; `status` other than `success` is the error word. */
export interface VoipmsAnswer {
  status?: string;
  sms?: number | string;
  mms?: number | string;
}

/** The newer "SMS/MMS Webhook URL" JSON post (shape per FS PBX; unconfirmed by VoIP.ms). */
export interface VoipmsJsonWebhook {
  data?: {
    id?: string;
    event_type?: string;
    payload?: {
      id?: string | number;
      type?: string;
      from?: { phone_number?: string };
      to?: Array<{ phone_number?: string }>;
      text?: string;
      media?: Array<string | { url?: string }>;
    };
  };
}
