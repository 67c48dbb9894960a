/**
 * The one private-address guard for every outbound connection (SSRF, SPEC §4): media downloads,
 * carrier APIs, event and workflow webhooks, Web Push. The guarded fetch checks the address it is
 * about to connect to — after DNS, on every redirect hop — and connects to exactly that address,
 * so a name that resolves to a public address at check time cannot be switched to a private one
 * at connect time. Private ranges the operator trusts are allowed with ALLOW_PRIVATE_URLS.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { HttpThread, type ErrorShape, type ThreadResponse } from './http-thread.js';
// undici is loaded on the first outbound request: it costs start-up time every command would pay.
type Undici = typeof import('undici');

export class PrivateAddressError extends Error {
  readonly code = 'private_address';
  constructor(readonly target: string, readonly address: string) {
    super(`${target} resolves to ${address}, a private, loopback or reserved address; refused (an operator can allow it with ALLOW_PRIVATE_URLS)`);
    this.name = 'PrivateAddressError';
  }
}

// IPv4 and IPv6 rules live in separate lists: Node's BlockList matches IPv4 addresses against
// IPv6 rules such as ::ffff:0:0/96, which once made the guard refuse every IPv4 address.
const PRIVATE_V4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(net, prefix, 'ipv4');
}
const PRIVATE_V6 = new BlockList();
for (const [net, prefix] of [
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible forms (::7f00:1 is 127.0.0.1).
  ['::', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  PRIVATE_V6.addSubnet(net, prefix, 'ipv6');
}

/** Expands an IPv6 address to its eight 16-bit groups (an embedded dotted quad included). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => parseInt(group || '0', 16));
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d in any spelling), else null. */
function unwrapMappedIpv4(address: string): string | null {
  const groups = ipv6Groups(address);
  if (groups.length !== 8 || groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return null;
  return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
}

/** A plain address of either family, IPv4-mapped IPv6 unwrapped; null when not an IP literal. */
function canonical(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return { address: bare, family: 'ipv4' };
  if (family !== 6) return null;
  const mapped = unwrapMappedIpv4(bare);
  return mapped ? { address: mapped, family: 'ipv4' } : { address: bare.split('%')[0]!, family: 'ipv6' };
}

export function isPrivateAddress(address: string): boolean {
  const ip = canonical(address);
  if (!ip) return false;
  return ip.family === 'ipv4' ? PRIVATE_V4.check(ip.address, 'ipv4') : PRIVATE_V6.check(ip.address, 'ipv6');
}

/** Parses ALLOW_PRIVATE_URLS entries (`10.0.0.0/8`, `192.168.1.20`, `fd00::/8`); throws on a bad one. */
export function parseAllowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [net, prefixText] = entry.split('/');
    const ip = canonical(net ?? '');
    if (!ip) throw new Error(`"${entry}" is not an IP address or CIDR`);
    const max = ip.family === 'ipv4' ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`"${entry}" has a bad prefix length`);
    list.addSubnet(ip.address, prefix, ip.family);
  }
  return list;
}

const MAX_REDIRECTS = 5;
/** Addresses whose guard verdict a guard keeps (any string may arrive from a URL, so the memory is bounded). */
const MAX_REMEMBERED_VERDICTS = 1024;

/** A whole answer read into memory: what provider API calls need (lib/net-guard.ts `exchange`). */
export interface BufferedResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface ExchangeInit {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/**
 * The guarded fetch also offers `exchange`: the same guard and redirects, with the answer read
 * whole, for provider API calls. It runs undici's request() on a worker thread (lib/http-thread.ts),
 * without fetch's WHATWG streams and transferable signals, off the thread that answers requests
 * (issue 11). A plain fetch (a test double) has none.
 */
export type GuardedFetch = typeof fetch & { exchange?: (url: string, init: ExchangeInit) => Promise<BufferedResponse> };

/** Where a redirect answer leads, and with which method and body (303, and 301/302 after a POST, turn into a GET without a body, as browsers do). */
function redirected<B>(from: URL, status: number, location: string, method: string | undefined, body: B): { url: URL; method: string | undefined; body: B | undefined } {
  const url = new URL(location, from);
  if (status === 303 || ((status === 301 || status === 302) && method && method !== 'GET' && method !== 'HEAD')) return { url, method: 'GET', body: undefined };
  return { url, method, body };
}

/** An error that crossed from the HTTP thread, as the one thrown there: a guard refusal is a PrivateAddressError again. */
function rebuildError(shape: ErrorShape): Error {
  const error = shape.name === 'PrivateAddressError' && shape.fields ? new PrivateAddressError(shape.fields.target!, shape.fields.address!) : Object.assign(new Error(shape.message), { name: shape.name, code: shape.code });
  if (shape.cause) error.cause = rebuildError(shape.cause);
  return error;
}

/** A connect-time refusal reaches callers as itself, not wrapped in the client's own error. */
function unwrapRefusal(error: unknown): unknown {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof PrivateAddressError ? cause : error;
}

export interface NetGuard {
  /** fetch() that refuses private addresses at every connection and redirect hop. */
  fetch: GuardedFetch;
  /** Resolves a URL's host now and throws PrivateAddressError (or a plain Error for a bad URL) if it is not allowed. */
  checkUrl(url: string): Promise<void>;
  isAllowed(address: string): boolean;
  /** Starts the HTTP thread, so the first provider call is not the one that waits for it; resolves when it is ready. */
  warm(): Promise<void>;
  /** Stops the HTTP thread. */
  close(): Promise<void>;
}

export function createNetGuard(options: { allowPrivate?: readonly string[] } = {}): NetGuard {
  const allow = parseAllowList(options.allowPrivate ?? []);
  const decide = (address: string): boolean => {
    const ip = canonical(address);
    if (!ip) return false;
    return !isPrivateAddress(ip.address) || allow.check(ip.address, ip.family);
  };
  // A BlockList check builds a SocketAddress (2–3 µs for an allowed private address, on every
  // carrier call): the few addresses a node talks to are decided once. The lists never change.
  const verdicts = new Map<string, boolean>();
  const isAllowed = (address: string): boolean => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      verdict = decide(address);
      if (verdicts.size >= MAX_REMEMBERED_VERDICTS) verdicts.clear();
      verdicts.set(address, verdict);
    }
    return verdict;
  };

  // The connection's own DNS lookup: only allowed addresses are handed to connect().
  const guardedLookup = (hostname: string, lookupOptions: { all?: boolean }, callback: (...args: any[]) => void) => {
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const allowed = addresses.filter((entry) => isAllowed(entry.address));
      if (allowed.length === 0) return callback(new PrivateAddressError(hostname, addresses[0]?.address ?? 'no address'));
      if (lookupOptions.all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
  let undici: Promise<{ fetch: Undici['fetch']; agent: InstanceType<Undici['Agent']> }> | null = null;
  const client = () => (undici ??= import('undici').then(({ Agent, fetch }) => ({ fetch, agent: new Agent({ connect: { lookup: guardedLookup as never }, connections: 64 }) })));

  function checkLiteral(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.protocol} URLs are not allowed; only http and https`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !isAllowed(host)) throw new PrivateAddressError(url.host, host);
  }

  const guardedFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    let requestInit: RequestInit = { ...init };
    const follow = (init.redirect ?? 'follow') === 'follow';
    for (let hop = 0; ; hop += 1) {
      checkLiteral(url);
      let response: Response;
      const { fetch: undiciFetch, agent } = await client();
      try {
        response = (await undiciFetch(url, { ...(requestInit as object), redirect: 'manual', dispatcher: agent } as never)) as unknown as Response;
      } catch (error) {
        throw unwrapRefusal(error);
      }
      const location = response.headers.get('location');
      if (!follow || response.status < 300 || response.status > 399 || !location) return response;
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.origin}`);
      await response.body?.cancel();
      const next = redirected(url, response.status, location, requestInit.method, requestInit.body);
      url = next.url;
      requestInit = { ...requestInit, method: next.method, body: next.body };
    }
  };

  const thread = new HttpThread(guardedLookup, rebuildError);
  const exchange = async (input: string, init: ExchangeInit): Promise<BufferedResponse> => {
    let url = new URL(input);
    let method: string | undefined = init.method;
    let body = init.body;
    for (let hop = 0; ; hop += 1) {
      checkLiteral(url);
      let response: ThreadResponse;
      try {
        response = await thread.request(url.href, { method: method ?? 'GET', headers: withBodyType(init.headers, body), body, signal: init.signal, maxBytes: MAX_ANSWER_BYTES });
      } catch (error) {
        throw unwrapRefusal(error);
      }
      const location = firstValue(response.headers.location);
      if (response.status < 300 || response.status > 399 || !location) return { status: response.status, headers: toHeaders(response.headers), text: response.text };
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.origin}`);
      ({ url, method, body } = redirected(url, response.status, location, method, body));
    }
  };
  (guardedFetch as GuardedFetch).exchange = exchange;

  async function checkUrl(raw: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`"${raw}" is not a URL`);
    }
    checkLiteral(url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return;
    await new Promise<void>((resolve, reject) => guardedLookup(host, { all: true }, (error: Error | null) => (error ? reject(error) : resolve())));
  }

  return { fetch: guardedFetch as GuardedFetch, checkUrl, isAllowed, warm: () => thread.start(), close: () => thread.stop() };
}

/** The most of an answer `exchange` reads: carrier APIs answer in a few KB; more is not an answer to parse. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** fetch() labels a text body without a content type as text/plain; request() would send none. */
function withBodyType(headers: Record<string, string> | undefined, body: string | Buffer | undefined): Record<string, string> | undefined {
  if (typeof body !== 'string' || Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'content-type')) return headers;
  return { ...headers, 'content-type': 'text/plain;charset=UTF-8' };
}
