/** The parts of the `smpp` package (v0.5, no published types) that this adapter and its emulator use. */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PDU {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: any;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
  }
  export const PDU: { new (command: string, options?: Record<string, unknown>): PDU; maxLength: number };

  export class Session extends EventEmitter {
    constructor(options: Record<string, unknown>);
    socket: Socket;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    [command: string]: any;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }
  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;

  export interface Encoding {
    match(value: string): boolean;
    encode(value: string): Buffer;
    decode(value: Buffer): string;
  }
  export const encodings: { ASCII: Encoding; LATIN1: Encoding; UCS2: Encoding };
  export const errors: Record<string, number>;
  export const consts: Record<string, any>;
}
