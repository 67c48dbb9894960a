/** The parts of Voxtelesys's Messaging API v1 wire format we read (smsapi.voxtelesys.com; developer.voxtelesys.com webhooks). */

/** POST /sms body: one batch; `to` is a list (we send one recipient per batch). */
export interface VoxtelesysSendPayload {
  from: string;
  to: string[];
  body: string;
  media?: string[];
  tag?: string;
}

/** The batch object answered to a send (`id` like "BPBPqNgILE2urR4S"). */
export interface VoxtelesysBatch {
  id?: string;
  status?: string;
}

/** Error answers: the shape is not documented publicly; these are the fields we look for. */
export interface VoxtelesysErrorBody {
  error?: string | { code?: string | number; description?: string; message?: string };
  message?: string;
  code?: string | number;
}

/** DLR webhook: `type: "per_recipient"`. */
export interface VoxtelesysDlr {
  type: 'per_recipient';
  batch_id?: string;
  message_id?: string;
  tag?: string;
  to?: string[] | string;
  status?: string;
  time?: string;
  error?: { code?: string | number; description?: string } | null;
}
