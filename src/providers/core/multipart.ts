/**
 * multipart/form-data of plain text fields (VoIP.ms sends, Commio MMS), encoded here rather than
 * with FormData: the guarded fetch is npm undici's, which does not serialise Node's global FormData.
 */
import { randomBytes } from 'node:crypto';

export function multipartForm(fields: Record<string, string>): { contentType: string; body: Buffer } {
  const boundary = `----switchboard${randomBytes(12).toString('hex')}`;
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"\r\n\r\n${value}\r\n`);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8') };
}

/** Reads the text fields of a multipart/form-data body (what our emulators receive). */
export function parseMultipartFields(contentType: string, body: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error('multipart body without a boundary');
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${boundary[1] ?? boundary[2]}`)) {
    const match = /^\r\nContent-Disposition: form-data; name="?([^"\r\n]+)"?\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*)\r\n$/i.exec(part);
    if (match) fields[match[1]!] = match[2]!;
  }
  return fields;
}
