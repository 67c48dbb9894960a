/** Wire shapes of Sinch xms v1 callbacks. https://developers.sinch.com/docs/sms/api-reference/ (Inbounds) */

export interface SinchInbound {
  type: 'mo_text' | 'mo_binary' | 'mo_media';
  id: string;
  from: string;
  to: string;
  body?: string | { subject?: string; message?: string; media?: Array<{ url?: string; content_type?: string; status?: string; code?: number }> };
  received_at?: string;
  sent_at?: string;
  operator_id?: string;
  client_reference?: string;
}

export interface SinchRecipientReport {
  type: 'recipient_delivery_report_sms' | 'recipient_delivery_report_mms';
  batch_id: string;
  recipient: string;
  code: number;
  status: string;
  at?: string;
  operator_status_at?: string;
  client_reference?: string;
}

export interface SinchBatchReport {
  type: 'delivery_report_sms' | 'delivery_report_mms';
  batch_id: string;
  total_message_count?: number;
  statuses: Array<{ code: number; status: string; count: number; recipients?: string[] }>;
  client_reference?: string;
}

/** Sinch writes international numbers without "+"; short codes and sender IDs stay as they are. */
export function fromSinchNumber(value: string): string {
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}
