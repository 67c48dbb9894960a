/** An SMPP account's credentials read into bounded, typed settings. */
import type { Gsm7Packing, TextEncoding } from './smpp.codec.js';

export interface SmppConfig {
  host: string;
  port: number;
  tls: boolean;
  tlsCa: string | null;
  tlsServername: string | null;
  systemId: string;
  password: string;
  systemType: string;
  bindMode: 'transceiver' | 'transmitter_receiver';
  sourceTon: number | null;
  sourceNpi: number | null;
  destTon: number;
  destNpi: number;
  dataCoding: Exclude<TextEncoding, 'ucs2'>;
  longMessages: 'udh' | 'message_payload';
  gsm7Packing: Gsm7Packing;
  windowSize: number;
  throughput: number;
  enquireLinkMs: number;
  reconnectMs: number;
  receiptIdFormat: 'same' | 'decimal' | 'hex';
  reassemblyMs: number;
}

export class SmppConfigError extends Error {}

function int(credentials: Record<string, string>, key: string, fallback: number, min: number, max: number): number {
  const raw = credentials[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) throw new SmppConfigError(`credentials.${key} must be a whole number, got "${raw.slice(0, 40)}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new SmppConfigError(`credentials.${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function smppConfig(credentials: Record<string, string>): SmppConfig {
  const optionalInt = (key: string) => (credentials[key] ? int(credentials, key, 0, 0, 255) : null);
  const host = (credentials.host ?? '').trim();
  if (!/^[A-Za-z0-9.:\[\]-]{1,253}$/.test(host)) throw new SmppConfigError(`credentials.host must be a host name or IP address, got "${host.slice(0, 60)}"`);
  if ((credentials.systemId ?? '').length > 15) throw new SmppConfigError('credentials.systemId is at most 15 characters in SMPP 3.4');
  if ((credentials.password ?? '').length > 8) throw new SmppConfigError('credentials.password is at most 8 characters in SMPP 3.4');
  if ((credentials.systemType ?? '').length > 12) throw new SmppConfigError('credentials.systemType is at most 12 characters in SMPP 3.4');
  return {
    host,
    port: int(credentials, 'port', 2775, 1, 65535),
    tls: credentials.tls === 'on',
    tlsCa: credentials.tlsCa || null,
    tlsServername: credentials.tlsServername || null,
    systemId: credentials.systemId ?? '',
    password: credentials.password ?? '',
    systemType: credentials.systemType ?? '',
    bindMode: credentials.bindMode === 'transmitter_receiver' ? 'transmitter_receiver' : 'transceiver',
    sourceTon: optionalInt('sourceTon'),
    sourceNpi: optionalInt('sourceNpi'),
    destTon: int(credentials, 'destTon', 1, 0, 255),
    destNpi: int(credentials, 'destNpi', 1, 0, 255),
    dataCoding: credentials.dataCoding === 'latin1' ? 'latin1' : 'gsm7',
    longMessages: credentials.longMessages === 'message_payload' ? 'message_payload' : 'udh',
    gsm7Packing: credentials.gsm7Packing === 'packed' ? 'packed' : 'unpacked',
    windowSize: int(credentials, 'windowSize', 10, 1, 100),
    throughput: int(credentials, 'throughput', 10, 1, 10_000),
    enquireLinkMs: int(credentials, 'enquireLinkSeconds', 30, 1, 3600) * 1000,
    reconnectMs: int(credentials, 'reconnectSeconds', 1, 1, 60) * 1000,
    receiptIdFormat: credentials.receiptIdFormat === 'decimal' || credentials.receiptIdFormat === 'hex' ? credentials.receiptIdFormat : 'same',
    reassemblyMs: int(credentials, 'reassemblySeconds', 300, 1, 86_400) * 1000,
  };
}

/**
 * One spelling for a message id on both sides: receipt ids are converted to the base
 * submit_sm_resp uses; hexadecimal-looking ids are lower-cased with leading zeros dropped.
 */
export function canonicalId(id: string, from: 'submit' | 'receipt', format: SmppConfig['receiptIdFormat']): string {
  const trimmed = id.trim();
  try {
    if (from === 'receipt' && format === 'decimal' && /^\d+$/.test(trimmed)) return BigInt(trimmed).toString(16);
    if (from === 'receipt' && format === 'hex' && /^[0-9a-f]+$/i.test(trimmed)) return BigInt(`0x${trimmed}`).toString(10);
  } catch {
    // Not a number after all: compared as given.
  }
  return /^[0-9a-f]+$/i.test(trimmed) ? trimmed.toLowerCase().replace(/^0+(?=.)/, '') : trimmed;
}
