/** The parts of Bandwidth's messaging wire format we read (Bandwidth/node-sdk models/message-callback*.ts). */

export interface BandwidthMessage {
  id?: string;
  owner?: string;
  applicationId?: string;
  time?: string;
  segmentCount?: number;
  direction?: 'in' | 'out';
  to?: string[];
  from?: string;
  text?: string;
  media?: string[];
  tag?: string;
}

/** One callback event; webhooks carry a JSON array of them. */
export interface BandwidthEvent {
  type?: string;
  time?: string;
  description?: string;
  /** The recipient this event concerns. */
  to?: string;
  /** Only on `message-failed`. */
  errorCode?: number | string | null;
  carrierName?: string | null;
  message?: BandwidthMessage;
}

/** Error answer of the create-message call (CreateMessageRequestError). */
export interface BandwidthApiError {
  type?: string;
  description?: string;
  fieldErrors?: Array<{ fieldName?: string; description?: string }>;
}
