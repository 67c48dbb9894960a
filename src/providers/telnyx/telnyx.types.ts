/** The parts of Telnyx's wire format we read (telnyx-node src/resources/messages/messages.ts). */

export interface TelnyxAddress {
  phone_number?: string;
  status?: string;
  carrier?: string;
  line_type?: string;
}

export interface TelnyxMessagingError {
  code?: string | number;
  title?: string;
  detail?: string;
}

export interface TelnyxMessagePayload {
  id?: string;
  record_type?: string;
  direction?: 'inbound' | 'outbound';
  type?: 'SMS' | 'MMS';
  from?: TelnyxAddress;
  to?: TelnyxAddress[];
  cc?: TelnyxAddress[];
  text?: string | null;
  media?: Array<{ url?: string; content_type?: string | null; size?: number | null }>;
  errors?: TelnyxMessagingError[];
  received_at?: string;
  sent_at?: string | null;
  completed_at?: string | null;
}

/** Webhook envelope: `{data: {event_type, id, occurred_at, payload}, meta}`. */
export interface TelnyxWebhookEvent {
  data?: {
    record_type?: string;
    id?: string;
    event_type?: string;
    occurred_at?: string;
    payload?: TelnyxMessagePayload;
  };
  meta?: { attempt?: number; delivered_to?: string };
}
