/**
 * SMPP account options against the local SMSC emulator: TLS (CA and server name checked),
 * long messages as message_payload, and GSM-7 packed septets (exact octets out, packed MO in).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packSeptets, unpackSeptets } from '../../src/providers/smpp/smpp.codec.js';
import { startSmscEmulator, type SmscEmulator } from '../../src/providers/smpp/smpp.emulator.js';
import type { SmppHost } from '../../src/providers/smpp/smpp.host.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const LOGIN = { systemId: 'switchboard', password: 'secret1' };
const credentials = (port: number, extra: Record<string, string> = {}) => ({
  host: '127.0.0.1',
  port: String(port),
  ...LOGIN,
  enquireLinkSeconds: '1',
  reconnectSeconds: '1',
  throughput: '500',
  ...extra,
});

/** A self-signed certificate for the name smsc.test, made with the openssl command line. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smpp-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=smsc.test', '-addext', 'subjectAltName=DNS:smsc.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reference GSM-7 packing written as a bit string (independent of the adapter's codec): `fillBits`
 * zero bits, then each septet's 7 bits least significant first, cut into octets read LSB first.
 */
function referencePack(septets: number[], fillBits: number): Buffer {
  let bits = '0'.repeat(fillBits);
  for (const septet of septets) for (let bit = 0; bit < 7; bit += 1) bits += (septet >> bit) & 1;
  while (bits.length % 8 !== 0) bits += '0';
  const octets: number[] = [];
  for (let i = 0; i < bits.length; i += 8) octets.push([...bits.slice(i, i + 8)].reduce((value, bit, index) => value | (Number(bit) << index), 0));
  return Buffer.from(octets);
}
const septetsOf = (ascii: string) => [...ascii].map((char) => char.charCodeAt(0));

describe('SMPP account options: TLS, message_payload, GSM-7 packing', () => {
  let harness: TestApp;
  let tenant: Tenant;
  const emulators: SmscEmulator[] = [];
  let certificate: { key: string; cert: string };

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => harness.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload: payload as object });
  const host = () => harness.ctx.sessions.host('smpp') as SmppHost;
  const session = async (accountId: string) => (await api('GET', `/provider-accounts/${accountId}`)).json().session;
  const send = async (from: string, body: string, to = '+15557770001') => {
    const response = await api('POST', '/messages', { from, to, body });
    expect(response.statusCode, response.body).toBe(202);
    return response.json().id as string;
  };
  const untilStatus = (id: string, status: string) => eventually(async () => {
    const message = (await api('GET', `/messages/${id}`)).json();
    return message.status === status ? message : null;
  }, 8000);
  const inboundFrom = async (from: string) => (await harness.ctx.db.selectFrom('messages').select('body').where('direction', '=', 'inbound').where('from_number', '=', from).execute()).map((r) => r.body);
  const emulator = async (options: Parameters<typeof startSmscEmulator>[0] = LOGIN) => {
    const smsc = await startSmscEmulator(options);
    emulators.push(smsc);
    return smsc;
  };
  const account = async (number: string, creds: Record<string, string>) => {
    const { accountId } = await createAccountAndNumber(harness.app, tenant, { type: 'smpp', credentials: creds, number, mps: 0 });
    return accountId;
  };
  const bound = (accountId: string) => eventually(async () => (await session(accountId))?.state === 'bound', 8000);

  beforeAll(async () => {
    certificate = selfSignedCertificate();
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    host().timing = { scanMs: 100, leaseMs: 1500, outboxPollMs: 25 };
    harness.ctx.sessions.start();
  });
  afterAll(async () => {
    await harness.close();
    for (const smsc of emulators) await smsc.close();
  });

  describe('TLS', () => {
    it('binds over TLS with the account CA and server name, sends to delivered and receives MO on that bind', async () => {
      const smsc = await emulator({ ...LOGIN, tls: certificate });
      const number = '+15550100301';
      const accountId = await account(number, credentials(smsc.port, { tls: 'on', tlsCa: certificate.cert, tlsServername: 'smsc.test' }));
      await bound(accountId);
      expect(smsc.bound[0]!.socket.constructor.name).toBe('TLSSocket');
      expect((smsc.bound[0]!.socket as import('node:tls').TLSSocket).encrypted).toBe(true);
      const id = await send(number, 'Over TLS');
      await untilStatus(id, 'delivered');
      expect(smsc.submits.map((s) => s.text)).toEqual(['Over TLS']);
      expect(await smsc.sendMo({ from: '+15557770301', to: number, text: 'Reply over TLS' })).toEqual([0]);
      expect(await inboundFrom('+15557770301')).toEqual(['Reply over TLS']);
    });

    it('does not bind when the certificate is not trusted (no CA) or names another server, and shows why', async () => {
      const smsc = await emulator({ ...LOGIN, tls: certificate });
      const untrusted = await account('+15550100302', credentials(smsc.port, { tls: 'on', tlsServername: 'smsc.test' }));
      const wrongName = await account('+15550100303', credentials(smsc.port, { tls: 'on', tlsCa: certificate.cert, tlsServername: 'other.test' }));
      const reason = (id: string) => eventually(async () => {
        const state = await session(id);
        return state?.state === 'disconnected' && state.lastError && state.lastError !== 'unbound' ? state.lastError : null;
      }, 8000);
      expect(await reason(untrusted)).toMatch(/self[- ]signed certificate/i);
      expect(await reason(wrongName)).toMatch(/does not match certificate's altnames/i);
      expect(smsc.binds).toBe(0);
    });

    it('with TLS off against a TLS listener, does not bind', async () => {
      const smsc = await emulator({ ...LOGIN, tls: certificate });
      const accountId = await account('+15550100304', credentials(smsc.port, { tls: 'off' }));
      await eventually(async () => (await session(accountId))?.state === 'disconnected', 8000);
      expect(smsc.binds).toBe(0);
    });
  });

  describe('long messages as message_payload', () => {
    it('sends a long text as one submit_sm with empty short_message and the whole text in message_payload; short texts stay in short_message', async () => {
      const smsc = await emulator();
      const number = '+15550100311';
      await bound(await account(number, credentials(smsc.port, { longMessages: 'message_payload' })));
      const ucs = 'Привет! '.repeat(38).slice(0, 300);
      const gsm = 'x'.repeat(200);
      const ids = [await send(number, ucs), await send(number, gsm), await send(number, 'short one')];
      for (const id of ids) await untilStatus(id, 'delivered');
      // Queued sends may leave in any order: find each by its text.
      const [ucsSubmit, gsmSubmit, shortSubmit] = [ucs, gsm, 'short one'].map((text) => smsc.submits.find((submit) => submit.text === text));
      expect(smsc.submits).toHaveLength(3);
      expect(ucsSubmit).toMatchObject({ dataCoding: 8, udh: null, text: ucs });
      expect(ucsSubmit!.esmClass & 0x40).toBe(0);
      expect(ucsSubmit!.shortMessage).toHaveLength(0);
      expect(ucsSubmit!.messagePayload).toEqual(Buffer.from(ucs, 'utf16le').swap16());
      expect(gsmSubmit).toMatchObject({ dataCoding: 0, text: gsm });
      expect(gsmSubmit!.shortMessage).toHaveLength(0);
      expect(gsmSubmit!.messagePayload).toEqual(Buffer.from(gsm, 'ascii'));
      expect(shortSubmit!.messagePayload).toBeNull();
      expect(shortSubmit!.shortMessage).toEqual(Buffer.from('short one', 'ascii'));
      const parts = await harness.ctx.db.selectFrom('message_parts').select('message_id').where('message_id', 'in', ids).execute();
      expect(parts).toHaveLength(0);
    });
  });

  describe('GSM-7 packing', () => {
    let smsc: SmscEmulator;
    const number = '+15550100321';

    beforeAll(async () => {
      smsc = await emulator();
      await bound(await account(number, credentials(smsc.port, { gsm7Packing: 'packed' })));
    });

    it('refuses an unknown gsm7Packing value with a 400 naming the field', async () => {
      const response = await api('POST', '/provider-accounts', { type: 'smpp', name: 'bad', credentials: credentials(2775, { gsm7Packing: 'squeezed' }) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('credentials.gsm7Packing');
    });

    it('sends packed septets: the exact octets of a single message (hellohello → e8329bfd4697d9ec37)', async () => {
      const before = smsc.submits.length;
      const id = await send(number, 'hellohello');
      await untilStatus(id, 'delivered');
      const submit = smsc.submits[before]!;
      expect(submit.dataCoding).toBe(0);
      expect(submit.shortMessage.toString('hex')).toBe('e8329bfd4697d9ec37');
      // 8 septets fill 7 octets exactly; an escape (`{` is ESC + 0x28) counts as two septets.
      const before2 = smsc.submits.length;
      await untilStatus(await send(number, 'abcdefgh {'), 'delivered');
      expect(smsc.submits[before2]!.shortMessage).toEqual(referencePack([...septetsOf('abcdefgh '), 0x1b, 0x28], 0));
    });

    it('sends packed concatenated parts: UDH, then septets after one fill bit, 153 septets in 140 octets', async () => {
      // Receipts are sent below, once the parts are recorded (an automatic one could pass `sent` by).
      smsc['options'].receiptDelayMs = null;
      const before = smsc.submits.length;
      const text = 'The quick brown fox jumps over the lazy dog 0123456789. '.repeat(4).slice(0, 200);
      const id = await send(number, text);
      await untilStatus(id, 'sent');
      const parts = smsc.submits.slice(before);
      expect(parts).toHaveLength(2);
      const reference = parts[0]!.shortMessage[3]!;
      expect(parts[0]!.shortMessage).toHaveLength(140);
      expect(parts[0]!.shortMessage).toEqual(Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference, 2, 1]), referencePack(septetsOf(text.slice(0, 153)), 1)]));
      expect(parts[1]!.shortMessage).toEqual(Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference, 2, 2]), referencePack(septetsOf(text.slice(153)), 1)]));
      expect(parts.every((p) => p.dataCoding === 0 && (p.esmClass & 0x40) === 0x40)).toBe(true);
      for (const part of parts) expect(await smsc.sendReceipt(part.messageId)).toBe(0);
      await untilStatus(id, 'delivered');
      smsc['options'].receiptDelayMs = 5;
    });

    it('with message_payload, sends the whole text packed in one submit', async () => {
      const other = await emulator();
      const payloadNumber = '+15550100322';
      await bound(await account(payloadNumber, credentials(other.port, { gsm7Packing: 'packed', longMessages: 'message_payload' })));
      const text = 'y'.repeat(170);
      await untilStatus(await send(payloadNumber, text), 'delivered');
      expect(other.submits).toHaveLength(1);
      expect(other.submits[0]!.shortMessage).toHaveLength(0);
      expect(other.submits[0]!.messagePayload).toEqual(referencePack(septetsOf(text), 0));
    });

    it('reads packed MO: single (with escapes and a trailing 7-bit gap) and concatenated with UDH fill bits, parts out of order', async () => {
      const single = 'Open @ 9? {yes} [no] €5';
      const seven = 'abcdefg';
      const long = 'This long message was packed by the SMSC, 8 septets in 7 octets, and split in two parts with a UDH! '.repeat(2).slice(0, 190);
      expect(await smsc.sendMo({ from: '+15557770321', to: number, text: single, packing: 'packed' })).toEqual([0]);
      expect(await smsc.sendMo({ from: '+15557770322', to: number, text: seven, packing: 'packed' })).toEqual([0]);
      expect(await smsc.sendMo({ from: '+15557770323', to: number, text: long, packing: 'packed', order: [2, 1], reference: 77 })).toEqual([0, 0]);
      expect(await inboundFrom('+15557770321')).toEqual([single]);
      expect(await inboundFrom('+15557770322')).toEqual([seven]);
      expect(await inboundFrom('+15557770323')).toEqual([long]);
    });

    it('reads a packed MO with a 16-bit-reference UDH (7 octets: no fill bits)', async () => {
      const text = 'z'.repeat(152) + 'tail of a 16-bit reference message';
      const base = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '15557770324', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: number.slice(1), data_coding: 0, esm_class: 0x40 };
      const part = (sequence: number, chunk: string) => Buffer.concat([Buffer.from([0x06, 0x08, 0x04, 0x12, 0x34, 2, sequence]), referencePack(septetsOf(chunk), 0)]);
      expect(await smsc.deliver({ ...base, short_message: part(1, text.slice(0, 152)) })).toBe(0);
      expect(await smsc.deliver({ ...base, short_message: part(2, text.slice(152)) })).toBe(0);
      expect(await inboundFrom('+15557770324')).toEqual([text]);
    });

    it('packs and unpacks every length up to 160 septets and fill 0-6 like the reference, CR in a 7-bit gap', () => {
      for (let fill = 0; fill <= 6; fill += 1) {
        for (let length = 1; length <= 160; length += 1) {
          const septets = Array.from({ length }, (_, i) => 0x20 + ((i * 37 + fill) % 90));
          const packed = packSeptets(Buffer.from(septets), fill);
          const gap = packed.length * 8 - fill - length * 7;
          expect(packed).toEqual(gap === 7 ? referencePack([...septets, 0x0d], fill) : referencePack(septets, fill));
          expect([...unpackSeptets(packed, fill)]).toEqual(septets);
        }
      }
    });

    it('refuses a packed deliver_sm whose UDH length runs past the message as malformed, without dropping the bind', async () => {
      const status = await smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '15557770329', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: number.slice(1), data_coding: 0, esm_class: 0x40, short_message: Buffer.from([0x30, 0x00, 0x03, 1, 1, 1]) });
      expect(status).toBe(smpp.errors.ESME_RX_P_APPN);
      expect(await smsc.sendMo({ from: '+15557770328', to: number, text: 'still bound', packing: 'packed' })).toEqual([0]);
      expect(await inboundFrom('+15557770328')).toEqual(['still bound']);
    });
  });
});
