/**
 * The parts of Commio's (thinQ) messaging API we read and write: apidocs.thinq.com (Postman
 * collection) as used by RapidPro courier's ThinQ handler, FreePBX smsconnector and FS PBX.
 */

/** JSON body of `POST /account/{id}/product/origination/sms/send`. */
export interface CommioSmsPayload {
  from_did: string;
  to_did: string;
  message: string;
}

/** Multipart fields of `POST /account/{id}/product/origination/mms/send` (one media URL). */
export interface CommioMmsFields {
  from_did: string;
  to_did: string;
  media_url: string;
  message?: string;
}

/** 200 answer `{"guid": "…"}`; errors `{"error": …}` or `{"message": …}`. */
export interface CommioAnswer {
  guid?: string | number;
  error?: string;
  message?: string;
}

/** Delivery notification (form): `guid`, `account_id`, `source_did`, `destination_did`, `timestamp`, `send_status`, `status`, `error`. */
export interface CommioReceipt {
  guid?: string;
  status?: string;
  send_status?: string;
  error?: string;
  timestamp?: string;
}
