/**
 * The message octets of a submit_sm or deliver_sm exactly as they were on the wire. The `smpp`
 * package decodes short_message by data_coding, which loses packed GSM-7 (every octet is read as
 * one unpacked septet), so packed text is read from the PDU's own bytes.
 */
const HEADER_AFTER_LENGTH = 12;
const TAG_MESSAGE_PAYLOAD = 0x0424;

export interface RawMessage {
  shortMessage: Buffer;
  messagePayload: Buffer | null;
}

/** `body`: the PDU without its 4-byte command_length (what the package reads as the PDU's body). */
export function rawMessage(body: Buffer): RawMessage {
  let offset = HEADER_AFTER_LENGTH;
  const cstring = () => {
    const end = body.indexOf(0, offset);
    if (end < 0) throw new RangeError('PDU ends inside a C-octet string');
    offset = end + 1;
  };
  const skip = (octets: number) => {
    offset += octets;
    if (offset > body.length) throw new RangeError('PDU ends inside its mandatory fields');
  };
  cstring(); // service_type
  skip(2);
  cstring(); // source_addr
  skip(2);
  cstring(); // destination_addr
  skip(3); // esm_class, protocol_id, priority_flag
  cstring(); // schedule_delivery_time
  cstring(); // validity_period
  skip(4); // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  skip(1);
  const smLength = body[offset - 1]!;
  const shortMessage = body.subarray(offset, offset + smLength);
  skip(smLength);
  let messagePayload: Buffer | null = null;
  while (offset + 4 <= body.length) {
    const tag = body.readUInt16BE(offset);
    const length = body.readUInt16BE(offset + 2);
    if (tag === TAG_MESSAGE_PAYLOAD) messagePayload = body.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
  }
  return { shortMessage, messagePayload };
}
