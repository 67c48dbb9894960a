/**
 * The parts of Flowroute's Messaging API v2.2 (JSON:API) we read and write.
 * https://developer.flowroute.com/api/messages/v2.2/ ; official Python SDK v3 OpenAPI models.
 */

export interface FlowrouteSendPayload {
  data: {
    type: 'message';
    attributes: { to: string; from: string; body: string; dlr_callback?: string; media_urls?: string[]; is_mms?: boolean };
  };
}

/** 202 answer: `{"data": {"type": "message", "id": "mdr2-…", "links": {"self": …}}}`. */
export interface FlowrouteAccepted {
  data?: { type?: string; id?: string };
}

/** Error answer: `{"errors": [{"id", "status", "title", "detail"}]}`. */
export interface FlowrouteErrors {
  errors?: Array<{ id?: string; status?: number | string; title?: string; detail?: string; code?: string }>;
}

export interface FlowrouteMessageAttributes {
  body?: string;
  direction?: string;
  from?: string;
  to?: string;
  is_mms?: boolean;
  timestamp?: string;
  status?: string;
}

export interface FlowrouteReceiptAttributes {
  body?: string;
  level?: number;
  status?: string;
  status_code?: string | number;
  status_code_description?: string;
  timestamp?: string;
}

/** Inbound message or MDR receipt, both JSON:API documents; media side-loaded in `included`. */
export interface FlowrouteWebhook {
  data?: {
    type?: string;
    id?: string;
    attributes?: FlowrouteMessageAttributes & FlowrouteReceiptAttributes;
    relationships?: { media?: { data?: Array<{ type?: string; id?: string }> } };
  };
  included?: Array<{ type?: string; id?: string; attributes?: { url?: string; file_name?: string; mime_type?: string; file_size?: number } }>;
}
